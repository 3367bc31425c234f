//! The bytes in the QR codes the services issue: the e-form QR (shown by the booking app or
//! printed) and the acknowledgement QR (on the slip the photo counter hands over).
//!
//! A scanner can misread a code (a changed byte decodes as another payload), and a resident
//! can show the wrong code, so each payload starts with a kind byte and ends with a 32-bit
//! checksum (the low half of xxh3 over the bytes before it): a kiosk decodes what it scanned
//! and treats a payload that fails as a code it could not read. Fields are little-endian.

use xxhash_rust::xxh3::xxh3_64;

use super::{AcknowledgementReference, EFormDigest, EFormQr, EFormReference};

const EFORM_KIND: u8 = b'E';
const ACKNOWLEDGEMENT_KIND: u8 = b'A';
const CHECKSUM_LENGTH: usize = 4;

/// Bytes that are not a valid payload of the expected kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QrPayloadError {
    #[error("QR payload of {found} bytes, expected {expected}")]
    Length { expected: usize, found: usize },
    #[error("QR payload of kind {found:#04x}, expected {expected:#04x}")]
    Kind { expected: u8, found: u8 },
    #[error("QR payload checksum does not match its content")]
    Checksum,
}

fn seal<const N: usize>(body: &[u8]) -> [u8; N] {
    let mut payload = [0u8; N];
    payload[..body.len()].copy_from_slice(body);
    let checksum = (xxh3_64(body) as u32).to_le_bytes();
    payload[body.len()..].copy_from_slice(&checksum);
    payload
}

/// Checks length, kind and checksum; returns the fields between the kind byte and the
/// checksum.
fn open(bytes: &[u8], kind: u8, expected: usize) -> Result<&[u8], QrPayloadError> {
    if bytes.len() != expected {
        let found = bytes.len();
        return Err(QrPayloadError::Length { expected, found });
    }
    if bytes[0] != kind {
        let found = bytes[0];
        return Err(QrPayloadError::Kind {
            expected: kind,
            found,
        });
    }
    let (body, checksum) = bytes.split_at(expected - CHECKSUM_LENGTH);
    if checksum != (xxh3_64(body) as u32).to_le_bytes() {
        return Err(QrPayloadError::Checksum);
    }
    Ok(&body[1..])
}

fn u64_at(fields: &[u8], at: usize) -> u64 {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&fields[at..at + 8]);
    u64::from_le_bytes(bytes)
}

impl EFormQr {
    /// Kind, reference, digest, checksum.
    pub const PAYLOAD_LENGTH: usize = 1 + 8 + 8 + CHECKSUM_LENGTH;

    pub fn encode(&self) -> [u8; EFormQr::PAYLOAD_LENGTH] {
        let mut body = [0u8; EFormQr::PAYLOAD_LENGTH - CHECKSUM_LENGTH];
        body[0] = EFORM_KIND;
        body[1..9].copy_from_slice(&self.reference.0.to_le_bytes());
        body[9..17].copy_from_slice(&self.digest.0.to_le_bytes());
        seal(&body)
    }

    pub fn decode(bytes: &[u8]) -> Result<EFormQr, QrPayloadError> {
        let fields = open(bytes, EFORM_KIND, EFormQr::PAYLOAD_LENGTH)?;
        Ok(EFormQr {
            reference: EFormReference(u64_at(fields, 0)),
            digest: EFormDigest(u64_at(fields, 8)),
        })
    }
}

impl AcknowledgementReference {
    /// Kind, reference, checksum.
    pub const PAYLOAD_LENGTH: usize = 1 + 8 + CHECKSUM_LENGTH;

    pub fn encode_qr(&self) -> [u8; AcknowledgementReference::PAYLOAD_LENGTH] {
        let mut body = [0u8; AcknowledgementReference::PAYLOAD_LENGTH - CHECKSUM_LENGTH];
        body[0] = ACKNOWLEDGEMENT_KIND;
        body[1..9].copy_from_slice(&self.0.to_le_bytes());
        seal(&body)
    }

    pub fn decode_qr(bytes: &[u8]) -> Result<AcknowledgementReference, QrPayloadError> {
        let fields = open(
            bytes,
            ACKNOWLEDGEMENT_KIND,
            AcknowledgementReference::PAYLOAD_LENGTH,
        )?;
        Ok(AcknowledgementReference(u64_at(fields, 0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn payloads_round_trip(reference in any::<u64>(), digest in any::<u64>()) {
            let qr = EFormQr { reference: EFormReference(reference), digest: EFormDigest(digest) };
            prop_assert_eq!(EFormQr::decode(&qr.encode()), Ok(qr));
            let acknowledgement = AcknowledgementReference(reference);
            prop_assert_eq!(AcknowledgementReference::decode_qr(&acknowledgement.encode_qr()), Ok(acknowledgement));
        }

        /// A misread (any one byte changed) never decodes as another payload.
        #[test]
        fn a_changed_byte_is_caught(reference in any::<u64>(), digest in any::<u64>(), at in 0usize..21, flip in 1u8..=255) {
            let qr = EFormQr { reference: EFormReference(reference), digest: EFormDigest(digest) };
            let mut bytes = qr.encode();
            bytes[at] ^= flip;
            prop_assert!(EFormQr::decode(&bytes).is_err());
            let mut bytes = AcknowledgementReference(reference).encode_qr();
            bytes[at % bytes.len()] ^= flip;
            prop_assert!(AcknowledgementReference::decode_qr(&bytes).is_err());
        }

        #[test]
        fn decoding_garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..32)) {
            let _ = EFormQr::decode(&bytes);
            let _ = AcknowledgementReference::decode_qr(&bytes);
        }
    }

    #[test]
    fn the_wrong_kind_of_code_is_refused() {
        let acknowledgement = AcknowledgementReference(5).encode_qr();
        assert_eq!(
            EFormQr::decode(&acknowledgement),
            Err(QrPayloadError::Length {
                expected: 21,
                found: 13
            })
        );
        let mut forged = acknowledgement;
        forged[0] = b'E';
        assert_eq!(
            AcknowledgementReference::decode_qr(&forged),
            Err(QrPayloadError::Kind {
                expected: b'A',
                found: b'E'
            })
        );
    }
}
