//! Command and response APDU parsing, BER-TLV and secure messaging unwrapping on any bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    hkic_chip::fuzzing::apdu_parse(data);
});
