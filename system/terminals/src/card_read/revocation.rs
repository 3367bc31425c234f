//! The revocation list a reader checks after passive authentication: the serial numbers of
//! revoked Document Signer certificates, with a version so a reader can tell which list it
//! holds. (The registry's signed distribution of the list, with revoked cards, is the
//! registry's business; a reader only needs this lookup.)

use hkic_protocol::pa::Certificate;
use std::collections::BTreeSet;

/// Revoked Document Signer certificates, by serial number.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RevocationList {
    pub version: u64,
    /// DER content bytes of each revoked certificate's serial number.
    revoked_serials: BTreeSet<Vec<u8>>,
}

impl RevocationList {
    pub fn new(version: u64) -> RevocationList {
        RevocationList {
            version,
            revoked_serials: BTreeSet::new(),
        }
    }

    /// Revokes the certificate with this serial number (DER content bytes).
    pub fn revoke_serial(&mut self, serial: Vec<u8>) {
        self.revoked_serials.insert(serial);
    }

    pub fn revoke(&mut self, certificate: &Certificate) {
        self.revoke_serial(serial_of(certificate));
    }

    pub fn is_revoked(&self, certificate: &Certificate) -> bool {
        self.revoked_serials.contains(&serial_of(certificate))
    }

    pub fn len(&self) -> usize {
        self.revoked_serials.len()
    }

    pub fn is_empty(&self) -> bool {
        self.revoked_serials.is_empty()
    }
}

/// The DER content bytes of a certificate's serial number.
pub fn serial_of(certificate: &Certificate) -> Vec<u8> {
    certificate
        .tbs_certificate()
        .serial_number()
        .as_bytes()
        .to_vec()
}
