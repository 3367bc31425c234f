//! Answers to reset (ISO/IEC 7816-3) for the two interfaces.
//!
//! Contact: `3B 9n 96 81 31 FE 45 <historical> TCK`: T=1 only, TA1 = 96 (Fi 512, Di 32: the
//! fastest rate a reader may negotiate with PPS; readers that skip PPS stay at the default
//! 9 600 baud, which [`crate::timing::Link`] models), IFSC 254, BWI 4 / CWI 5.
//! Contactless: the ATR a PC/SC reader composes for an ISO/IEC 14443-4 card,
//! `3B 8n 80 01 <historical> TCK`. The historical bytes are proprietary (they start with 'H',
//! not a category indicator), naming the card generation.

/// Historical bytes of the new-generation chip.
pub const NEW_GENERATION_HISTORICAL_BYTES: &[u8] = b"HKIC-NG";
/// Historical bytes of the first-generation chip.
pub const FIRST_GENERATION_HISTORICAL_BYTES: &[u8] = b"HKIC-G1";
/// ISO/IEC 7816-3 allows at most 15 historical bytes.
const HISTORICAL_BYTES_MAX: usize = 15;

fn with_check_byte(mut atr: Vec<u8>) -> Vec<u8> {
    let check = atr[1..].iter().fold(0u8, |check, byte| check ^ byte);
    atr.push(check);
    atr
}

/// The contact ATR with these historical bytes.
pub fn contact_atr(historical: &[u8]) -> Vec<u8> {
    debug_assert!(historical.len() <= HISTORICAL_BYTES_MAX);
    let mut atr = vec![
        0x3B,
        0x90 | historical.len() as u8,
        0x96,
        0x81,
        0x31,
        0xFE,
        0x45,
    ];
    atr.extend_from_slice(historical);
    with_check_byte(atr)
}

/// The contactless ATR a PC/SC reader shows for an ISO/IEC 14443-4 card.
pub fn contactless_atr(historical: &[u8]) -> Vec<u8> {
    debug_assert!(historical.len() <= HISTORICAL_BYTES_MAX);
    let mut atr = vec![0x3B, 0x80 | historical.len() as u8, 0x80, 0x01];
    atr.extend_from_slice(historical);
    with_check_byte(atr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_byte_makes_the_xor_from_t0_zero() {
        for atr in [
            contact_atr(NEW_GENERATION_HISTORICAL_BYTES),
            contactless_atr(NEW_GENERATION_HISTORICAL_BYTES),
            contact_atr(FIRST_GENERATION_HISTORICAL_BYTES),
        ] {
            assert_eq!(atr[0], 0x3B);
            assert_eq!(atr[1..].iter().fold(0u8, |check, byte| check ^ byte), 0);
            assert_eq!(usize::from(atr[1] & 0x0F), 7);
        }
        assert_eq!(contactless_atr(b"HKIC-NG")[..4], [0x3B, 0x87, 0x80, 0x01]);
    }
}
