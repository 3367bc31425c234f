//! The bodies of the cargo-fuzz targets (`fuzz/fuzz_targets/`), kept here so the ordinary
//! test `tests/fuzz_corpus.rs` replays the committed corpus through exactly the code the
//! fuzzer runs. Each body panics when it finds a bug; that is what the fuzzer looks for.
//!
//! - [`apdu_parse`]: command and response parsing, BER-TLV, and unwrapping secure messaging.
//!   Oracle: a parsed command re-encodes to bytes that parse to the same command; a parsed
//!   response re-encodes to the same bytes.
//! - [`chip_session`]: a sequence of operations on a personalised chip (raw APDUs on either
//!   interface, power cycles, resets, PACE with the right or a wrong CAN, protected APDUs
//!   wrapped by a real terminal session, chip and terminal authentication). Oracles: a
//!   powered chip answers every command with at least a status word; a correctly protected
//!   command gets a response that verifies; PACE with the right CAN succeeds unless three
//!   wrong attempts since power on blocked it (6983), and a wrong CAN never succeeds.
//!
//! Input format of `chip_session`: a first byte choosing the starting state (a fresh chip,
//! one already through PACE, chip authentication or terminal authentication, or one whose
//! PACE three wrong CANs blocked: snapshots made once, so that most inputs need no
//! elliptic-curve work), then operation bytes (see `Harness::operate`), each
//! followed by its operands: a length byte then that many bytes for the APDU-carrying
//! operations. At most [`OPERATIONS_MAX`] operations and [`HANDSHAKES_MAX`] cryptographic
//! handshakes per input, so every input runs in bounded time.

use crate::card::Interface;
use crate::new_generation::{NewGenerationChip, PACE_ATTEMPTS_MAX};
use crate::personalise::personalise;
use crate::specimen::{SpecimenPki, specimen_holder};
use hkic_base::{Stream, seed_stream};
use hkic_protocol::apdu::{
    CLASS_CHAINING, CLASS_SECURE_MESSAGING, CommandApdu, ResponseApdu, StatusWord,
};
use hkic_protocol::ca::ChipAuthenticationTerminal;
use hkic_protocol::curve::{Curve, Point};
use hkic_protocol::lds::{APPLICATION_IDENTIFIER, ChipAuthenticationKey, ElementaryFile};
use hkic_protocol::pace::{PacePassword, PaceTerminal, PaceTerminalStep};
use hkic_protocol::sm::{SecureMessaging, SessionCipher, SessionKeys};
use hkic_protocol::ta::TerminalAuthenticationTerminal;
use hkic_protocol::tlv;
use std::sync::OnceLock;

/// Operations per `chip_session` input.
pub const OPERATIONS_MAX: usize = 64;
/// PACE, chip or terminal authentication runs per `chip_session` input.
pub const HANDSHAKES_MAX: u8 = 1;
const SEED: u64 = 0x00C0_FFEE;
const PACE_STEPS_MAX: usize = 6;

/// Body of the `apdu_parse` target.
pub fn apdu_parse(bytes: &[u8]) {
    if let Ok(command) = CommandApdu::parse(bytes) {
        let encoded = command.to_bytes();
        assert_eq!(
            CommandApdu::parse(&encoded).as_ref(),
            Ok(&command),
            "{encoded:02X?}"
        );
        let mut session = SecureMessaging::new(
            SessionKeys {
                cipher: SessionCipher::Aes128,
                encryption: [0x11; 16],
                mac: [0x22; 16],
            },
            0,
        );
        let _ = session.unprotect_command(&command);
    }
    if let Ok(response) = ResponseApdu::parse(bytes) {
        assert_eq!(response.to_bytes(), bytes);
    }
    let _ = tlv::decode_all(bytes);
}

/// What a terminal knows of the personalised chip, and the states inputs start from.
#[derive(Debug)]
struct Base {
    can: String,
    chip_key: ChipAuthenticationKey,
    pki: SpecimenPki,
    /// Fresh, after PACE, after chip authentication, after terminal authentication, and
    /// with PACE blocked by three wrong CANs.
    snapshots: Vec<Harness>,
}

fn base() -> &'static Base {
    static BASE: OnceLock<Base> = OnceLock::new();
    BASE.get_or_init(|| {
        let pki = SpecimenPki::new(SEED).expect("the specimen PKI builds");
        let holder = specimen_holder(SEED, 600);
        let (chip, files) = personalise(&holder, pki.issuer(), seed_stream(SEED))
            .expect("the specimen personalises");
        let dg14 = files.get(ElementaryFile::Dg14).expect("DG14 is written");
        let chip_key = hkic_protocol::lds::decode_dg14(dg14).expect("DG14 decodes");
        let mut base = Base {
            can: holder.card_access_number,
            chip_key,
            pki,
            snapshots: Vec::new(),
        };
        base.snapshots = snapshots(&base, chip);
        base
    })
}

fn snapshots(base: &Base, chip: NewGenerationChip) -> Vec<Harness> {
    let mut harness = Harness {
        chip,
        interface: Interface::Contactless,
        terminal: None,
        random: seed_stream(SEED + 1),
        handshakes: 0,
        wrong_pace_attempts: 0,
    };
    harness.chip.power_on(Interface::Contactless);
    let mut snapshots = vec![harness.clone()];
    // Snapshots are built outside the per-input handshake budget.
    harness.pace(&base.can, true);
    assert!(harness.terminal.is_some(), "the snapshot PACE succeeds");
    harness.handshakes = 0;
    let select = CommandApdu::new(
        [0x00, 0xA4, 0x04, 0x0C],
        APPLICATION_IDENTIFIER.to_vec(),
        None,
    );
    let selected = select
        .ok()
        .and_then(|command| harness.protected_exchange(&command));
    assert_eq!(
        selected.map(|response| response.status),
        Some(StatusWord::SUCCESS)
    );
    snapshots.push(harness.clone());
    harness.chip_authentication(&base.chip_key);
    harness.handshakes = 0;
    let ephemeral = harness
        .terminal
        .as_ref()
        .and_then(|terminal| terminal.terminal_ephemeral);
    assert!(
        ephemeral.is_some(),
        "the snapshot chip authentication succeeds"
    );
    snapshots.push(harness.clone());
    harness.terminal_authentication(&base.pki);
    let read_dg3 = CommandApdu::new([0x00, 0xB0, 0x83, 0x00], Vec::new(), Some(4));
    let granted = read_dg3
        .ok()
        .and_then(|command| harness.protected_exchange(&command));
    assert_eq!(
        granted.map(|response| response.status),
        Some(StatusWord::SUCCESS),
        "the snapshot terminal authentication grants DG3"
    );
    snapshots.push(harness);
    let mut blocked = snapshots[0].clone();
    for _ in 0..PACE_ATTEMPTS_MAX {
        blocked.pace("000000", false);
        blocked.handshakes = 0;
    }
    assert_eq!(blocked.wrong_pace_attempts, PACE_ATTEMPTS_MAX);
    snapshots.push(blocked);
    for snapshot in &mut snapshots {
        snapshot.handshakes = 0;
    }
    snapshots
}

/// The terminal side of a session the harness established.
#[derive(Debug, Clone)]
struct TerminalSession {
    secure_messaging: SecureMessaging,
    chip_identifier: Vec<u8>,
    terminal_ephemeral: Option<Point>,
}

#[derive(Debug, Clone)]
struct Harness {
    chip: NewGenerationChip,
    interface: Interface,
    terminal: Option<TerminalSession>,
    random: Stream,
    handshakes: u8,
    wrong_pace_attempts: u8,
}

/// Body of the `chip` target.
pub fn chip_session(bytes: &[u8]) {
    let base = base();
    let Some((&start, mut input)) = bytes.split_first() else {
        return;
    };
    let mut harness = base.snapshots[usize::from(start) % base.snapshots.len()].clone();
    for _ in 0..OPERATIONS_MAX {
        let Some((&operation, rest)) = input.split_first() else {
            break;
        };
        input = rest;
        harness.operate(operation, &mut input, base);
    }
}

/// Takes a length byte and that many bytes (fewer if the input ends).
fn take_operand<'a>(input: &mut &'a [u8]) -> &'a [u8] {
    let Some((&length, rest)) = input.split_first() else {
        return &[];
    };
    let (operand, rest) = rest.split_at(usize::from(length).min(rest.len()));
    *input = rest;
    operand
}

impl Harness {
    /// One operation; the elliptic-curve handshakes are the rarest (4 codes in 16).
    fn operate(&mut self, operation: u8, input: &mut &[u8], base: &Base) {
        match operation % 16 {
            0..=4 => self.raw(Interface::Contactless, take_operand(input)),
            5 | 6 => self.raw(Interface::Contact, take_operand(input)),
            7 => self.power_cycle(),
            8 => {
                let _ = self.chip.reset();
                self.terminal = None;
            }
            9..=11 => self.protected(take_operand(input)),
            12 => self.pace(&base.can, true),
            13 => self.pace("000000", false),
            14 => self.chip_authentication(&base.chip_key),
            _ => self.terminal_authentication(&base.pki),
        }
    }

    /// Sends bytes; a powered chip without link faults always answers a status word.
    fn exchange(&mut self, command: &[u8]) -> ResponseApdu {
        let exchange = self.chip.transmit(self.interface, command);
        let response = exchange
            .response
            .expect("a powered chip without faults answers");
        ResponseApdu::parse(&response).expect("every response carries a status word")
    }

    fn raw(&mut self, interface: Interface, command: &[u8]) {
        if interface != self.interface {
            self.chip.power_off();
            self.chip.power_on(interface);
            self.interface = interface;
            self.terminal = None;
            self.wrong_pace_attempts = 0;
        }
        if CommandApdu::parse(command).is_ok() {
            // A plain command ends the session; a forged protected one fails its MAC.
            self.terminal = None;
        }
        self.exchange(command);
    }

    fn power_cycle(&mut self) {
        self.chip.power_off();
        self.chip.power_on(self.interface);
        self.terminal = None;
        self.wrong_pace_attempts = 0;
    }

    fn take_handshake(&mut self) -> bool {
        self.handshakes += 1;
        self.handshakes <= HANDSHAKES_MAX
    }

    fn pace(&mut self, can: &str, right: bool) {
        if !self.take_handshake() {
            return;
        }
        self.terminal = None;
        let password = PacePassword::Can(can.to_owned());
        let (mut terminal, mut command) = PaceTerminal::start(&password, Curve::NistP256, false);
        for _ in 0..PACE_STEPS_MAX {
            let response = self.exchange(&command.to_bytes());
            match terminal.handle_response(&response, &mut self.random) {
                Ok(PaceTerminalStep::Send(next)) => command = next,
                Ok(PaceTerminalStep::Established(outcome)) => {
                    assert!(right, "PACE succeeded with a wrong CAN");
                    assert!(
                        self.wrong_pace_attempts < PACE_ATTEMPTS_MAX,
                        "PACE succeeded while blocked"
                    );
                    self.wrong_pace_attempts = 0;
                    self.terminal = Some(TerminalSession {
                        secure_messaging: outcome.secure_messaging,
                        chip_identifier: outcome.chip_ephemeral_public.x().to_vec(),
                        terminal_ephemeral: None,
                    });
                    return;
                }
                Err(error) => {
                    self.pace_failed(right, &error);
                    return;
                }
            }
        }
        panic!("PACE did not finish in {PACE_STEPS_MAX} steps");
    }

    fn pace_failed(&mut self, right: bool, error: &hkic_protocol::pace::PaceError) {
        let blocked = self.wrong_pace_attempts >= PACE_ATTEMPTS_MAX;
        let status = error.status_word();
        if blocked {
            assert_eq!(status, StatusWord::AUTHENTICATION_METHOD_BLOCKED, "{error}");
        } else {
            assert!(!right, "PACE with the right CAN failed: {error}");
            assert_eq!(status, StatusWord::AUTHENTICATION_FAILED, "{error}");
            self.wrong_pace_attempts += 1;
        }
    }

    /// Wraps `command` in the terminal session; the chip's answer must verify.
    fn protected(&mut self, command: &[u8]) {
        let (Some(terminal), Ok(command)) = (self.terminal.as_mut(), CommandApdu::parse(command))
        else {
            return;
        };
        let Ok(wrapped) = terminal.secure_messaging.protect_command(&command) else {
            self.terminal = None;
            return;
        };
        let response = self.exchange(&wrapped.to_bytes());
        if command.class & !(CLASS_CHAINING | CLASS_SECURE_MESSAGING) != 0 {
            // Logical channels and proprietary classes get a plain 6E00 before any unwrapping:
            // the chip's counter did not move, the harness's did.
            assert_eq!(response.status, StatusWord::CLASS_NOT_SUPPORTED);
            self.terminal = None;
            return;
        }
        let Some(terminal) = self.terminal.as_mut() else {
            return;
        };
        let plain = terminal.secure_messaging.unprotect_response(&response);
        let plain = plain.expect("the chip protects its answer to a correctly protected command");
        if command.instruction == 0x86 && plain.status == StatusWord::SUCCESS {
            // The command ran chip authentication with keys the harness does not know.
            self.terminal = None;
        }
    }

    /// One protected exchange inside a handshake; `None` ends the harness session.
    fn protected_exchange(&mut self, command: &CommandApdu) -> Option<ResponseApdu> {
        let terminal = self.terminal.as_mut()?;
        let wrapped = terminal.secure_messaging.protect_command(command).ok()?;
        let response = self.exchange(&wrapped.to_bytes());
        let terminal = self.terminal.as_mut()?;
        let plain = terminal.secure_messaging.unprotect_response(&response);
        Some(plain.expect("the chip protects its answers in a handshake"))
    }

    fn chip_authentication(&mut self, chip_key: &ChipAuthenticationKey) {
        if self.terminal.is_none() || !self.take_handshake() {
            return;
        }
        let Ok(authentication) = ChipAuthenticationTerminal::new(chip_key, &mut self.random) else {
            return;
        };
        let [set, authenticate] = authentication.commands();
        let (Some(first), Some(second)) = (
            self.protected_exchange(&set),
            self.protected_exchange(&authenticate),
        ) else {
            return;
        };
        let Some(terminal) = self.terminal.as_mut() else {
            return;
        };
        // When refused (already chip-authenticated), the session goes on unchanged.
        if let Ok(secure_messaging) = authentication.finish([&first, &second]) {
            terminal.secure_messaging = secure_messaging;
            terminal.terminal_ephemeral = Some(*authentication.ephemeral_public());
        }
    }

    fn terminal_authentication(&mut self, pki: &SpecimenPki) {
        let Some(terminal) = self.terminal.as_ref() else {
            return;
        };
        let Some(ephemeral) = terminal.terminal_ephemeral else {
            return;
        };
        let chip_identifier = terminal.chip_identifier.clone();
        if !self.take_handshake() {
            return;
        }
        let authentication = TerminalAuthenticationTerminal::new(
            pki.terminal_chain(),
            pki.terminal_key.clone(),
            chip_identifier,
            ephemeral,
        );
        let Ok(authentication) = authentication else {
            return;
        };
        let mut last = None;
        for command in authentication.commands() {
            last = self.protected_exchange(&command);
        }
        if let Some(Ok(command)) =
            last.map(|challenge| authentication.authenticate_command(&challenge))
        {
            self.protected_exchange(&command);
        }
    }
}
