//! A card with three known answers, so the PC/SC path can be tested before the real chip is
//! wired in.
//!
//! - SELECT the eMRTD application by AID with P2=0C (`00 A4 04 0C 07 A0000002471001`): 9000.
//! - GET CHALLENGE of 8 bytes (`00 84 00 00 08`): 8 bytes from a seeded SplitMix64 stream,
//!   then 9000 (deterministic for a seed, different on every call).
//! - Anything else: 6D00 (instruction not supported).
//!
//! It counts the power events so tests can see pcscd's `SCardConnect` reach the card.

use hkic_vpcd::VirtualCard;

/// The eMRTD application identifier (ICAO 9303 LDS1).
pub const APPLICATION_ID: [u8; 7] = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];
/// SELECT the eMRTD application by AID, no response data (P2=0C).
pub const SELECT_APPLICATION: [u8; 12] = [
    0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01,
];
/// GET CHALLENGE, 8 bytes.
pub const GET_CHALLENGE: [u8; 5] = [0x00, 0x84, 0x00, 0x00, 0x08];
/// Status word: success.
pub const STATUS_SUCCESS: [u8; 2] = [0x90, 0x00];
/// Status word: instruction not supported.
pub const STATUS_INSTRUCTION_NOT_SUPPORTED: [u8; 2] = [0x6D, 0x00];
/// The PC/SC pseudo-ATR of a contactless card: `3B 88 80 01`, eight zero historical bytes,
/// and TCK, the XOR of T0 to the last historical byte (0x88 ^ 0x80 ^ 0x01 = 0x09).
pub const TEST_CARD_ATR: [u8; 13] = [
    0x3B, 0x88, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09,
];

const CHALLENGE_LENGTH: usize = 8;

/// The card; see the module documentation for its answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestCard {
    challenge_state: u64,
    /// Times the reader switched the card on.
    pub power_on_count: u32,
    /// Times the card was switched off (by the reader or by leaving it).
    pub power_off_count: u32,
    /// Warm resets.
    pub reset_count: u32,
    /// Command APDUs answered.
    pub command_count: u64,
}

impl TestCard {
    /// A card whose challenges come from `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            challenge_state: seed,
            power_on_count: 0,
            power_off_count: 0,
            reset_count: 0,
            command_count: 0,
        }
    }

    /// The next 8 challenge bytes (SplitMix64).
    fn next_challenge(&mut self) -> [u8; CHALLENGE_LENGTH] {
        self.challenge_state = self.challenge_state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut mixed = self.challenge_state;
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (mixed ^ (mixed >> 31)).to_be_bytes()
    }
}

impl VirtualCard for TestCard {
    fn atr(&self) -> Vec<u8> {
        TEST_CARD_ATR.to_vec()
    }

    fn power_on(&mut self) {
        self.power_on_count = self.power_on_count.saturating_add(1);
    }

    fn power_off(&mut self) {
        self.power_off_count = self.power_off_count.saturating_add(1);
    }

    fn reset(&mut self) {
        self.reset_count = self.reset_count.saturating_add(1);
    }

    fn transmit(&mut self, command: &[u8]) -> Vec<u8> {
        self.command_count = self.command_count.saturating_add(1);
        if command == SELECT_APPLICATION {
            return STATUS_SUCCESS.to_vec();
        }
        if command == GET_CHALLENGE {
            return [&self.next_challenge()[..], &STATUS_SUCCESS].concat();
        }
        STATUS_INSTRUCTION_NOT_SUPPORTED.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_of_the_application_succeeds() {
        assert_eq!(
            TestCard::new(1).transmit(&SELECT_APPLICATION),
            STATUS_SUCCESS
        );
    }

    #[test]
    fn challenges_are_eight_bytes_deterministic_and_fresh() {
        let mut card = TestCard::new(42);
        let first = card.transmit(&GET_CHALLENGE);
        let second = card.transmit(&GET_CHALLENGE);
        assert_eq!(first.len(), CHALLENGE_LENGTH + 2);
        assert_eq!(first[CHALLENGE_LENGTH..], STATUS_SUCCESS);
        assert_ne!(first, second);
        assert_eq!(
            TestCard::new(42).transmit(&GET_CHALLENGE),
            first,
            "same seed, same challenge"
        );
        assert_ne!(TestCard::new(43).transmit(&GET_CHALLENGE), first);
    }

    #[test]
    fn everything_else_is_not_supported() {
        let mut card = TestCard::new(1);
        let select_with_p2_00 = [
            0x00, 0xA4, 0x04, 0x00, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01,
        ];
        let select_other_application = [
            0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x02,
        ];
        for command in [
            &select_with_p2_00[..],
            &select_other_application,
            &[0x00, 0xB0, 0x00, 0x00, 0x04],
            &[],
            &[0xFF; 300],
        ] {
            assert_eq!(
                card.transmit(command),
                STATUS_INSTRUCTION_NOT_SUPPORTED,
                "{command:02X?}"
            );
        }
        assert_eq!(card.command_count, 5);
    }

    #[test]
    fn the_atr_is_a_valid_contactless_pseudo_atr() {
        let check_byte = TEST_CARD_ATR[1..TEST_CARD_ATR.len() - 1]
            .iter()
            .fold(0, |xor, byte| xor ^ byte);
        assert_eq!(TEST_CARD_ATR.last(), Some(&check_byte));
        assert!(hkic_vpcd::frame::check_atr(&TEST_CARD_ATR).is_ok());
    }

    #[test]
    fn power_events_are_counted() {
        let mut card = TestCard::new(1);
        card.power_on();
        card.reset();
        card.power_off();
        assert_eq!(
            (card.power_on_count, card.reset_count, card.power_off_count),
            (1, 1, 1)
        );
    }
}
