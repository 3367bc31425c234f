//! A minimal terminal for the chip's tests, built from hkic-protocol's terminal sides (the
//! full reader procedure lives in hkic-terminals and is tested there against these chips).

#![allow(dead_code)]

use hkic_base::{Stream, seed_stream};
use hkic_chip::specimen::{SpecimenPki, specimen_holder};
use hkic_chip::{CardFiles, HolderData, Interface, NewGenerationChip, personalise};
use hkic_protocol::apdu::{CommandApdu, ResponseApdu, StatusWord};
use hkic_protocol::ca::ChipAuthenticationTerminal;
use hkic_protocol::curve::{Curve, Point};
use hkic_protocol::lds::{self, ElementaryFile};
use hkic_protocol::pace::{PacePassword, PaceTerminal, PaceTerminalStep};
use hkic_protocol::sm::SecureMessaging;
use hkic_protocol::ta::TerminalAuthenticationTerminal;

pub struct Card {
    pub chip: NewGenerationChip,
    pub files: CardFiles,
    pub holder: HolderData,
    pub pki: SpecimenPki,
}

/// A specimen card with a facial image of `image_length` bytes.
pub fn specimen_card(seed: u64, image_length: usize) -> Card {
    let pki = SpecimenPki::new(seed).unwrap();
    let holder = specimen_holder(seed, image_length);
    let (chip, files) = personalise(&holder, pki.issuer(), seed_stream(seed + 100)).unwrap();
    Card {
        chip,
        files,
        holder,
        pki,
    }
}

pub fn send(
    chip: &mut NewGenerationChip,
    interface: Interface,
    command: &CommandApdu,
) -> ResponseApdu {
    let response = chip
        .transmit(interface, &command.to_bytes())
        .response
        .unwrap();
    ResponseApdu::parse(&response).unwrap()
}

pub fn command(header: [u8; 4], data: &[u8], expected_length: Option<u32>) -> CommandApdu {
    CommandApdu::new(header, data.to_vec(), expected_length).unwrap()
}

pub fn select_application() -> CommandApdu {
    command([0x00, 0xA4, 0x04, 0x0C], &lds::APPLICATION_IDENTIFIER, None)
}

pub fn read_short_identifier(
    file: ElementaryFile,
    offset: u8,
    expected_length: u32,
) -> CommandApdu {
    command(
        [0x00, 0xB0, 0x80 | file.short_file_identifier(), offset],
        &[],
        Some(expected_length),
    )
}

pub fn read_offset(offset: u16, expected_length: u32) -> CommandApdu {
    let [high, low] = offset.to_be_bytes();
    command([0x00, 0xB0, high, low], &[], Some(expected_length))
}

/// The terminal's side of an open session.
pub struct Session {
    pub secure_messaging: SecureMessaging,
    pub chip_identifier: Vec<u8>,
}

/// PACE with `can`; the refusal's status word on failure.
pub fn pace(
    chip: &mut NewGenerationChip,
    interface: Interface,
    can: &str,
    random: &mut Stream,
) -> Result<Session, StatusWord> {
    let (mut terminal, mut command) =
        PaceTerminal::start(&PacePassword::Can(can.to_owned()), Curve::NistP256, false);
    for _ in 0..6 {
        let response = send(chip, interface, &command);
        match terminal.handle_response(&response, random) {
            Ok(PaceTerminalStep::Send(next)) => command = next,
            Ok(PaceTerminalStep::Established(outcome)) => {
                return Ok(Session {
                    secure_messaging: outcome.secure_messaging,
                    chip_identifier: outcome.chip_ephemeral_public.x().to_vec(),
                });
            }
            Err(error) => return Err(error.status_word()),
        }
    }
    panic!("PACE did not finish");
}

/// One protected exchange; the raw protected response bytes and the unwrapped response.
pub fn protected(
    chip: &mut NewGenerationChip,
    interface: Interface,
    session: &mut SecureMessaging,
    command: &CommandApdu,
) -> (Vec<u8>, ResponseApdu) {
    let wrapped = session.protect_command(command).unwrap();
    let raw = chip
        .transmit(interface, &wrapped.to_bytes())
        .response
        .unwrap();
    let response = session
        .unprotect_response(&ResponseApdu::parse(&raw).unwrap())
        .unwrap();
    (raw, response)
}

/// Reads a whole file under `session` in chunks of `chunk` bytes (short Le).
pub fn read_file(
    chip: &mut NewGenerationChip,
    interface: Interface,
    session: &mut SecureMessaging,
    file: ElementaryFile,
    chunk: u32,
) -> Result<Vec<u8>, StatusWord> {
    let (_, first) = protected(
        chip,
        interface,
        session,
        &read_short_identifier(file, 0, chunk),
    );
    if !matches!(first.status.0, 0x9000 | 0x6282) {
        return Err(first.status);
    }
    let mut content = first.data;
    loop {
        let (_, next) = protected(
            chip,
            interface,
            session,
            &read_offset(content.len() as u16, chunk),
        );
        if next.status == StatusWord::WRONG_PARAMETERS || next.data.is_empty() {
            return Ok(content);
        }
        content.extend(next.data);
    }
}

/// Chip authentication under `session` with the key DG14 announces; the new session and
/// the terminal's ephemeral key.
pub fn chip_authentication(
    chip: &mut NewGenerationChip,
    interface: Interface,
    session: &mut SecureMessaging,
    dg14: &[u8],
    random: &mut Stream,
) -> (SecureMessaging, Point) {
    let key = lds::decode_dg14(dg14).unwrap();
    let terminal = ChipAuthenticationTerminal::new(&key, random).unwrap();
    let [set, authenticate] = terminal.commands();
    let (_, first) = protected(chip, interface, session, &set);
    let (_, second) = protected(chip, interface, session, &authenticate);
    let secure_messaging = terminal.finish([&first, &second]).unwrap();
    (secure_messaging, *terminal.ephemeral_public())
}

/// Terminal authentication with the specimen gate's credentials; the final status word.
pub fn terminal_authentication(
    chip: &mut NewGenerationChip,
    interface: Interface,
    session: &mut SecureMessaging,
    pki: &SpecimenPki,
    chip_identifier: Vec<u8>,
    ephemeral: Point,
) -> StatusWord {
    let terminal = TerminalAuthenticationTerminal::new(
        pki.terminal_chain(),
        pki.terminal_key.clone(),
        chip_identifier,
        ephemeral,
    )
    .unwrap();
    let mut last = None;
    for command in terminal.commands() {
        let (_, response) = protected(chip, interface, session, &command);
        if response.status != StatusWord::SUCCESS {
            return response.status;
        }
        last = Some(response);
    }
    let authenticate = terminal.authenticate_command(&last.unwrap()).unwrap();
    protected(chip, interface, session, &authenticate).1.status
}
