//! How long an APDU exchange takes, so the simulator can put card reads on virtual time.
//!
//! An exchange costs the reader's own per-APDU overhead, the command and the response on the
//! wire with their link-layer framing, and the chip's processing. The chip reports what it
//! computed ([`ChipWork`], priced by [`ProcessingTimes`]); a [`Link`] prices the rest.
//!
//! Figures and why:
//! - **Chip processing** ([`ProcessingTimes::TYPICAL`]), assumed figures of the order smart
//!   card vendors quote for 2015-2020 dual-interface chips, not measurements: 2 ms to
//!   dispatch a command, 60 ms per P-256 scalar multiplication and 90 ms per ECDSA
//!   verification on the chip's coprocessor (so PACE costs the chip about 0.3 s and terminal
//!   authentication about 0.3 s), 20 µs per AES or 3DES block (secure messaging), 0.2 µs per
//!   byte read from persistent memory. They are parameters: a scenario can replace them.
//! - **Contact, T=1** (ISO/IEC 7816-3): 11 etu per character (10 bits and the character
//!   guard time), blocks of at most IFSC = 254 information bytes with 4 bytes of prologue and
//!   epilogue, an R-block (4 bytes) acknowledging each chained block, and the block guard
//!   time (22 etu) at every change of direction. The default rate is 9 600 baud (Fi 372,
//!   Di 1 at 3.57 MHz): the rate of a reader that does not negotiate PPS, as the old contact
//!   gates did.
//! - **Contactless, ISO/IEC 14443-4 type A**: 9 bits per byte (8 data bits and parity) plus
//!   2 bits for start and end of frame, at 106, 212, 424 or 848 kbit/s; frames of at most
//!   FSC = 256 bytes with 3 bytes of PCB and CRC, an R(ACK) frame (3 bytes) acknowledging each
//!   chained frame, the frame delay time (1172/fc ≈ 86 µs) at every change of direction, and
//!   a waiting-time extension (two 4-byte S-blocks) for every frame waiting time (FWI 8:
//!   ≈ 77 ms) the chip computes.
//! - **Reader**: 1 ms per APDU for the reader's driver and host (PC/SC, USB or the gate's
//!   embedded controller).
//!
//! With these figures a whole gate read of a specimen new card (27 APDUs: PACE, DG1, DG14,
//! the SOD, chip and terminal authentication, DG3) takes 0.8 s contactless at 424 kbit/s,
//! and would take 5.3 s over the contacts at 9 600 baud; the old gates' contact read of a
//! first-generation card (mutual authentication, holder data, two 400-byte templates) takes
//! 1.6 s (tests in hkic-terminals:
//! `a_contactless_gate_read_is_several_times_faster_than_a_contact_one`,
//! `an_old_card_reads_in_under_two_seconds_over_9600_baud_contacts`). domain.md section 5
//! reports 12 s of passage with the old card against 8 s with the new one: the card
//! exchange accounts for under a second of that difference; inserting and withdrawing the
//! card in a slot (a device concern modelled elsewhere) for the rest.

use crate::card::{Exchange, Interface};
use hkic_base::SimDuration;

/// What the chip computed for one command.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChipWork {
    pub scalar_multiplications: u8,
    pub signature_verifications: u8,
    /// AES or 3DES blocks encrypted, decrypted or MACed.
    pub cipher_blocks: u32,
    pub memory_bytes_read: u32,
}

impl ChipWork {
    pub fn add(&mut self, other: ChipWork) {
        self.scalar_multiplications = self
            .scalar_multiplications
            .saturating_add(other.scalar_multiplications);
        self.signature_verifications = self
            .signature_verifications
            .saturating_add(other.signature_verifications);
        self.cipher_blocks = self.cipher_blocks.saturating_add(other.cipher_blocks);
        self.memory_bytes_read = self
            .memory_bytes_read
            .saturating_add(other.memory_bytes_read);
    }

    /// Secure messaging of a command and its response: both sides encrypted and MACed.
    pub fn secure_messaging(command_bytes: usize, response_bytes: usize) -> ChipWork {
        let blocks = |bytes: usize| (bytes / 16 + 1) as u32;
        ChipWork {
            cipher_blocks: 2 * (blocks(command_bytes) + blocks(response_bytes)) + 2,
            ..ChipWork::default()
        }
    }
}

/// The price of each kind of chip work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessingTimes {
    pub command: SimDuration,
    pub scalar_multiplication: SimDuration,
    pub signature_verification: SimDuration,
    pub cipher_block: SimDuration,
    pub memory_byte: SimDuration,
}

impl ProcessingTimes {
    /// A 2015-2020 dual-interface chip; see the module documentation.
    pub const TYPICAL: ProcessingTimes = ProcessingTimes {
        command: SimDuration::from_millis(2),
        scalar_multiplication: SimDuration::from_millis(60),
        signature_verification: SimDuration::from_millis(90),
        cipher_block: SimDuration::from_micros(20),
        memory_byte: SimDuration::from_nanos(200),
    };

    pub fn duration(&self, work: &ChipWork) -> SimDuration {
        self.command
            + self
                .scalar_multiplication
                .saturating_mul(u64::from(work.scalar_multiplications))
            + self
                .signature_verification
                .saturating_mul(u64::from(work.signature_verifications))
            + self
                .cipher_block
                .saturating_mul(u64::from(work.cipher_blocks))
            + self
                .memory_byte
                .saturating_mul(u64::from(work.memory_bytes_read))
    }
}

impl Default for ProcessingTimes {
    fn default() -> ProcessingTimes {
        ProcessingTimes::TYPICAL
    }
}

/// The ISO/IEC 14443 bit rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContactlessBitRate {
    Kbps106,
    Kbps212,
    Kbps424,
    Kbps848,
}

/// The carrier frequency fc of ISO/IEC 14443, in hertz.
const CARRIER_HERTZ: u64 = 13_560_000;

impl ContactlessBitRate {
    /// Carrier cycles per bit: 128 at 106 kbit/s, halving with each step.
    fn cycles_per_bit(self) -> u64 {
        match self {
            ContactlessBitRate::Kbps106 => 128,
            ContactlessBitRate::Kbps212 => 64,
            ContactlessBitRate::Kbps424 => 32,
            ContactlessBitRate::Kbps848 => 16,
        }
    }
}

/// A contact link (ISO/IEC 7816-3, T=1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactLink {
    pub baud: u32,
    /// IFSC and IFSD: information bytes per block.
    pub information_field_size: u16,
    pub reader_overhead: SimDuration,
}

/// A contactless link (ISO/IEC 14443-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactlessLink {
    pub bit_rate: ContactlessBitRate,
    /// FSC and FSD: bytes per frame, PCB and CRC included.
    pub frame_size: u16,
    /// FWI: the frame waiting time is (256 · 16 / fc) · 2^FWI.
    pub frame_waiting_time_integer: u8,
    pub reader_overhead: SimDuration,
}

/// The link an APDU travels on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Contact(ContactLink),
    Contactless(ContactlessLink),
}

const READER_OVERHEAD: SimDuration = SimDuration::from_millis(1);
/// T=1 block prologue (NAD, PCB, LEN) and epilogue (LRC).
const T1_BLOCK_OVERHEAD_BYTES: u64 = 4;
const T1_CHARACTER_ETU: u64 = 11;
const T1_BLOCK_GUARD_ETU: u64 = 22;
/// ISO/IEC 14443-4 I-block PCB and CRC, and an R(ACK) or S(WTX) frame's size.
const FRAME_OVERHEAD_BYTES: u64 = 3;
const WAITING_TIME_EXTENSION_BYTES: u64 = 4;
const BITS_PER_BYTE: u64 = 9;
const FRAME_DELIMITER_BITS: u64 = 2;
/// The minimum frame delay time, 1172 / fc, in carrier cycles.
const FRAME_DELAY_CYCLES: u64 = 1_172;

fn nanoseconds(numerator: u64, denominator: u64) -> SimDuration {
    SimDuration::from_nanos(numerator.saturating_mul(1_000_000_000) / denominator.max(1))
}

impl Link {
    /// A contact link at `baud` with IFSC 254.
    pub fn contact(baud: u32) -> Link {
        Link::Contact(ContactLink {
            baud,
            information_field_size: 254,
            reader_overhead: READER_OVERHEAD,
        })
    }

    /// A contactless link at `bit_rate` with FSC 256 and FWI 8.
    pub fn contactless(bit_rate: ContactlessBitRate) -> Link {
        Link::Contactless(ContactlessLink {
            bit_rate,
            frame_size: 256,
            frame_waiting_time_integer: 8,
            reader_overhead: READER_OVERHEAD,
        })
    }

    pub fn interface(&self) -> Interface {
        match self {
            Link::Contact(_) => Interface::Contact,
            Link::Contactless(_) => Interface::Contactless,
        }
    }

    /// The duration of `exchange` for a command of `command_length` bytes. A failed exchange
    /// costs the command's transfer and the reader's wait for a response that never came.
    pub fn exchange_duration(&self, command_length: usize, exchange: &Exchange) -> SimDuration {
        let response_length = match &exchange.response {
            Ok(response) => response.len(),
            Err(_) => 0,
        };
        let repeat = self.transfer_duration(command_length, 0, SimDuration::ZERO);
        self.transfer_duration(command_length, response_length, exchange.processing_time)
            + repeat.saturating_mul(u64::from(exchange.retransmissions))
    }

    /// Reader overhead, command and response with framing, and `processing` by the chip.
    pub fn transfer_duration(
        &self,
        command_length: usize,
        response_length: usize,
        processing: SimDuration,
    ) -> SimDuration {
        match self {
            Link::Contact(link) => link.duration(command_length, response_length, processing),
            Link::Contactless(link) => link.duration(command_length, response_length, processing),
        }
    }
}

impl ContactLink {
    /// Bytes on the wire and blocks for a message of `length` bytes.
    fn message(&self, length: usize) -> (u64, u64) {
        let size = u64::from(self.information_field_size.max(1));
        let length = length as u64;
        let blocks = length.div_ceil(size).max(1);
        let acknowledgements = blocks - 1;
        let bytes = length + (blocks + acknowledgements) * T1_BLOCK_OVERHEAD_BYTES;
        (bytes, blocks)
    }

    fn duration(&self, command: usize, response: usize, processing: SimDuration) -> SimDuration {
        let (command_bytes, command_blocks) = self.message(command);
        let (response_bytes, response_blocks) = self.message(response);
        let turnarounds = 2 * (command_blocks + response_blocks) - 2;
        let etu =
            (command_bytes + response_bytes) * T1_CHARACTER_ETU + turnarounds * T1_BLOCK_GUARD_ETU;
        self.reader_overhead + nanoseconds(etu, u64::from(self.baud)) + processing
    }
}

impl ContactlessLink {
    /// Bits on the air and frames for a message of `length` bytes.
    fn message(&self, length: usize) -> (u64, u64) {
        let payload = u64::from(self.frame_size)
            .saturating_sub(FRAME_OVERHEAD_BYTES)
            .max(1);
        let length = length as u64;
        let frames = length.div_ceil(payload).max(1);
        let acknowledgements = frames - 1;
        let bytes = length + (frames + acknowledgements) * FRAME_OVERHEAD_BYTES;
        let bits = bytes * BITS_PER_BYTE + (frames + acknowledgements) * FRAME_DELIMITER_BITS;
        (bits, frames)
    }

    fn frame_waiting_time(&self) -> SimDuration {
        let cycles = 256 * 16 * (1u64 << self.frame_waiting_time_integer.min(14));
        nanoseconds(cycles, CARRIER_HERTZ)
    }

    fn duration(&self, command: usize, response: usize, processing: SimDuration) -> SimDuration {
        let (command_bits, command_frames) = self.message(command);
        let (response_bits, response_frames) = self.message(response);
        let extensions = processing.as_nanos() / self.frame_waiting_time().as_nanos().max(1);
        let extension_bits =
            extensions * 2 * (WAITING_TIME_EXTENSION_BYTES * BITS_PER_BYTE + FRAME_DELIMITER_BITS);
        let turnarounds = 2 * (command_frames + response_frames) - 2 + 2 * extensions;
        let cycles = (command_bits + response_bits + extension_bits)
            * self.bit_rate.cycles_per_bit()
            + turnarounds * FRAME_DELAY_CYCLES;
        self.reader_overhead + nanoseconds(cycles, CARRIER_HERTZ) + processing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_contact_exchange_at_9600_baud() {
        // SELECT (12 bytes) and 9000: (12 + 4) + (2 + 4) characters of 11 etu and two block
        // guard times of 22 etu, at 9 600 baud: 286 etu → 29.79 ms, plus the reader's 1 ms.
        let link = Link::contact(9_600);
        let duration = link.transfer_duration(12, 2, SimDuration::ZERO);
        assert_eq!(duration, SimDuration::from_nanos(1_000_000 + 29_791_666));
    }

    #[test]
    fn contact_chains_blocks_above_ifsc() {
        let link = Link::contact(115_200);
        let one_block = link.transfer_duration(5, 254, SimDuration::ZERO);
        let two_blocks = link.transfer_duration(5, 255, SimDuration::ZERO);
        // One more byte, a second I-block and an R-block: 9 more characters, 2 turnarounds.
        let extra = nanoseconds(9 * 11 + 2 * 22, 115_200);
        assert_eq!(
            two_blocks.as_nanos() - one_block.as_nanos(),
            extra.as_nanos()
        );
    }

    #[test]
    fn contactless_is_faster_at_higher_rates_and_chains_frames() {
        let rates = [
            ContactlessBitRate::Kbps106,
            ContactlessBitRate::Kbps212,
            ContactlessBitRate::Kbps424,
            ContactlessBitRate::Kbps848,
        ];
        let durations: Vec<SimDuration> = rates
            .iter()
            .map(|rate| Link::contactless(*rate).transfer_duration(20, 1_000, SimDuration::ZERO))
            .collect();
        assert!(durations.windows(2).all(|pair| pair[0] > pair[1]));
        // 1 020 bytes at 106 kbit/s (9 bits a byte): 4 frames and 3 R(ACK)s, with framing
        // about 89 ms on the air.
        let air = durations[0].as_nanos() - READER_OVERHEAD.as_nanos();
        assert!((85_000_000..95_000_000).contains(&air), "{air}");
        let contact = Link::contact(9_600).transfer_duration(20, 1_000, SimDuration::ZERO);
        assert!(contact > durations[0] * 10);
    }

    #[test]
    fn long_processing_costs_waiting_time_extensions() {
        let link = Link::contactless(ContactlessBitRate::Kbps424);
        let quick = link.transfer_duration(10, 10, SimDuration::from_millis(50));
        let slow = link.transfer_duration(10, 10, SimDuration::from_millis(200));
        let difference = slow.as_nanos() - quick.as_nanos();
        // 150 ms more processing and two S(WTX) exchanges (FWT ≈ 77.3 ms) of 0.35 ms each.
        assert!(
            difference > 150_500_000 && difference < 151_000_000,
            "{difference}"
        );
    }

    #[test]
    fn failed_exchanges_and_retransmissions_are_priced() {
        let link = Link::contact(9_600);
        let failed = Exchange::failed(crate::card::TransmissionError::ContactError);
        let wait = link.exchange_duration(12, &failed);
        assert_eq!(wait, link.transfer_duration(12, 0, SimDuration::ZERO));
        let repeated = Exchange {
            response: Ok(vec![0x90, 0x00]),
            processing_time: SimDuration::from_millis(2),
            retransmissions: 2,
        };
        let clean = Exchange {
            retransmissions: 0,
            ..repeated.clone()
        };
        assert!(link.exchange_duration(12, &repeated) > link.exchange_duration(12, &clean));
    }

    #[test]
    fn processing_times_price_the_work() {
        let work = ChipWork {
            scalar_multiplications: 3,
            signature_verifications: 1,
            cipher_blocks: 10,
            memory_bytes_read: 1_000,
        };
        let expected = 2_000_000 + 180_000_000 + 90_000_000 + 200_000 + 200_000;
        assert_eq!(
            ProcessingTimes::TYPICAL.duration(&work),
            SimDuration::from_nanos(expected)
        );
    }
}
