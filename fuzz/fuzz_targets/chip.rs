//! Sequences of operations (raw APDUs on both interfaces, power events, PACE, protected
//! APDUs, chip and terminal authentication) on a personalised new-generation chip.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    hkic_chip::fuzzing::chip_session(data);
});
