//! What a card read concludes: one verdict, and the holder's data as read.

use hkic_protocol::apdu::StatusWord;
use hkic_protocol::lds::PersonalData;

/// The one conclusion of a card read, the first failed check deciding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardVerdict {
    /// Passive authentication up to a trusted CSCA, a Document Signer not revoked, and chip
    /// authentication (and the DG3 hash, when DG3 was read) all succeeded.
    Genuine,
    /// The data and the SOD are genuine but the chip does not hold the private key DG14
    /// announces: a copy of another card's chip.
    Cloned,
    /// A data group does not match the SOD's hash (`data_group`), or the SOD's signature does
    /// not verify (`None`).
    Altered { data_group: Option<u8> },
    /// The Document Signer does not chain to any trusted CSCA.
    UnknownSigner,
    /// The Document Signer's certificate is on the revocation list.
    Revoked,
    /// The chip refused the card access number (or the BAC key material): `6300`, or `6983`
    /// once it blocked PACE after three wrong attempts.
    WrongCan { status: StatusWord },
    /// The read could not finish: transmission failures beyond the retries, or a chip that
    /// answered outside the protocol.
    Unreadable { reason: String },
}

impl CardVerdict {
    pub fn is_genuine(&self) -> bool {
        *self == CardVerdict::Genuine
    }
}

/// The holder's data as read from the chip; trust it only with a genuine verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolderRecord {
    pub personal_data: PersonalData,
    /// DG2, when the read asked for it.
    pub facial_image: Option<Vec<u8>>,
    /// DG3, when terminal authentication granted it.
    pub thumb_templates: Option<Vec<Vec<u8>>>,
    /// The DER content bytes of the Document Signer certificate's serial number.
    pub document_signer_serial: Vec<u8>,
}

/// The outcome of a card read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardReadReport {
    pub verdict: CardVerdict,
    /// Present once DG1 was read, passive authentication ran and DG1 decoded.
    pub holder: Option<HolderRecord>,
    /// The status word that refused terminal authentication or DG3, if one did.
    pub dg3_refused: Option<StatusWord>,
    /// Attempts made (a transmission failure restarts the read from activation).
    pub attempts: u8,
    /// Command APDUs sent over all attempts.
    pub commands_sent: u32,
}
