//! The world's stream labels: which entity and purpose each random draw belongs to.
//!
//! Draws are keyed by what they describe, never by who happens to serve: a resident's service
//! times come from the resident's own stream, so adding a kiosk changes no resident's draws.

use hkic_kernel::StreamLabel;

const RESIDENT: u16 = 1;
const CENTRE: u16 = 2;
const NODE: u16 = 3;

/// Everything one resident does that is random, drawn in a fixed order.
pub fn resident_profile(resident: u32) -> StreamLabel {
    StreamLabel::new(RESIDENT, u64::from(resident), 1)
}

/// A resident's identity: name, card number, date of birth, card access number.
pub fn resident_identity(resident: u32) -> StreamLabel {
    StreamLabel::new(RESIDENT, u64::from(resident), 2)
}

/// Which other centre a resident falls back to when theirs has no slot for them.
pub fn resident_centre_choice(resident: u32) -> StreamLabel {
    StreamLabel::new(RESIDENT, u64::from(resident), 24)
}

/// How many walk-ins come on open day number `day`.
pub fn walk_in_count(day: u32) -> StreamLabel {
    StreamLabel::new(CENTRE, 0, 1).with_index(day)
}

/// A node's disk latencies.
pub fn disk_latency(node: u16) -> StreamLabel {
    StreamLabel::new(NODE, u64::from(node), 1)
}

/// A terminal's retry jitter.
pub fn retry_jitter(node: u16) -> StreamLabel {
    StreamLabel::new(NODE, u64::from(node), 2)
}

/// One device operation for a resident (`operation` counts their operations over all visits).
pub fn resident_operation(resident: u32, operation: u32) -> StreamLabel {
    StreamLabel::new(RESIDENT, u64::from(resident), 20).with_index(operation)
}

/// Whether a resident's fingers are poor (a property of the person, drawn once).
pub fn resident_skin(resident: u32) -> StreamLabel {
    StreamLabel::new(RESIDENT, u64::from(resident), 21)
}

/// A station's device faults (jams, outages, repairs), at `timing` fidelity.
pub fn station_faults(node: u16) -> StreamLabel {
    StreamLabel::new(NODE, u64::from(node), 20)
}

// The `full`-fidelity device model's streams (purposes from 16, clear of the others').
const STATION: u16 = 4;

/// The issuer's first-generation master key, held in every registration kiosk's secure
/// access module.
pub fn issuer_master_key() -> StreamLabel {
    StreamLabel::new(CENTRE, 0, 16)
}

/// A resident's synthetic thumbs: drawn once, the fingers never change.
pub fn resident_thumbs(resident: u32) -> StreamLabel {
    StreamLabel::new(RESIDENT, u64::from(resident), 16)
}

/// A resident's first-generation card as issued: its serial number, date of issue, the
/// enrolment captures of the thumbs and the card's wear.
pub fn resident_old_card(resident: u32) -> StreamLabel {
    StreamLabel::new(RESIDENT, u64::from(resident), 17)
}

/// How a resident shows QR codes (on a phone or on paper).
pub fn resident_qr_medium(resident: u32) -> StreamLabel {
    StreamLabel::new(RESIDENT, u64::from(resident), 18)
}

/// A resident's device operation number `operation` (over all visits).
pub fn resident_device_operation(resident: u32, operation: u32) -> StreamLabel {
    StreamLabel::new(RESIDENT, u64::from(resident), 19).with_index(operation)
}

/// The outage clock of `device` at `station` (a kiosk or counter, numbered by the caller).
pub fn station_device_outages(station: u64, device: u16) -> StreamLabel {
    StreamLabel::new(STATION, station, device)
}

/// An officer's repairs of `device` at `station`.
pub fn station_device_repairs(station: u64, device: u16) -> StreamLabel {
    StreamLabel::new(STATION, station, device).with_index(1)
}

/// A card's personalisation on the line (its duration and whether it fails).
pub fn card_personalisation(card: u64) -> StreamLabel {
    StreamLabel::new(CENTRE, card, 17)
}

/// The issuer's trust material of a run at `full` fidelity: the CSCA, the Document Signer and
/// the terminal-authentication PKI (CVCA, document verifier, the collection kiosks'
/// inspection system).
pub fn issuer_pki() -> StreamLabel {
    StreamLabel::new(CENTRE, 0, 18)
}

/// A new card's chip: its own random stream (the chip-authentication key pair it generates,
/// then its nonces).
pub fn card_chip(card: u64) -> StreamLabel {
    StreamLabel::new(CENTRE, card, 18)
}

/// The enrolment captures of a resident's thumbs at registration, which every card made for
/// their application carries in DG3.
pub fn resident_thumb_enrolment(resident: u32) -> StreamLabel {
    StreamLabel::new(RESIDENT, u64::from(resident), 22)
}

/// The portrait taken of a resident at registration (DG2 of their new card).
pub fn resident_portrait(resident: u32) -> StreamLabel {
    StreamLabel::new(RESIDENT, u64::from(resident), 23)
}

/// Staff's handling of `device` at `station` that no resident waits for (loading a
/// collection kiosk's card store).
pub fn station_device_staff(station: u64, device: u16) -> StreamLabel {
    StreamLabel::new(STATION, station, device).with_index(2)
}

/// The line's read-back of a new card (the reader's own nonces and keys).
pub fn card_read_back(card: u64) -> StreamLabel {
    StreamLabel::new(CENTRE, card, 19)
}

/// The registry's revocation-list signing key (the run's trust material, at every fidelity).
pub fn revocation_list_key() -> StreamLabel {
    StreamLabel::new(CENTRE, 0, 24)
}

/// Document Signer `number` of the production schedule (from 1; signer 0 is the issuer PKI's).
pub fn document_signer(number: u32) -> StreamLabel {
    StreamLabel::new(CENTRE, 0, 25).with_index(number)
}
