//! The issuer's trust material on disk: what `card serve` writes and `card read` loads.
//!
//! Layout of the directory (`--out`, default `reports/out/card-<person>/`):
//! - `csca.pem`: the Country Signing CA certificate, the trust anchor of passive
//!   authentication (X.509, PEM);
//! - `document-signer.pem`: the certificate of the Document Signer that signed the card's SOD;
//! - `revocation-list.json`: `{"version": 1, "revoked_document_signer_serials": ["02", ...]}`
//!   (hex of each serial number's DER content bytes; empty when nothing is revoked);
//! - `terminal/`: credentials of an inspection system allowed to read DG3 (`card read
//!   --terminal`): `document-verifier.cvcert` and `terminal.cvcert` (CV certificates, BSI
//!   TR-03110) and `terminal.key` (the terminal's P-256 private key as 64 hex digits).

use std::fs;
use std::path::Path;

use hkic_chip::specimen::SpecimenPki;
use hkic_protocol::cvc::{CvCertificate, SigningKey};
use hkic_protocol::pa::Certificate;
use hkic_terminals::card_read::{RevocationList, TerminalCredentials};
use serde::{Deserialize, Serialize};

use crate::exit::CliError;

const PEM_LABEL: &str = "CERTIFICATE";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RevocationFile {
    version: u64,
    revoked_document_signer_serials: Vec<String>,
}

fn internal(path: &Path, error: impl std::fmt::Display) -> CliError {
    CliError::Internal(format!("{}: {error}", path.display()))
}

fn bad(path: &Path, error: impl std::fmt::Display) -> CliError {
    CliError::BadInput(format!("{}: {error}", path.display()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02X}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(text.get(at..at + 2)?, 16).ok())
        .collect()
}

fn pem(der: &[u8]) -> Result<String, der::pem::Error> {
    der::pem::encode_string(PEM_LABEL, der::pem::LineEnding::LF, der)
}

/// Writes the trust material of `pki` into `dir`.
pub fn write(dir: &Path, pki: &SpecimenPki) -> Result<(), CliError> {
    let terminal_dir = dir.join("terminal");
    fs::create_dir_all(&terminal_dir).map_err(|error| internal(&terminal_dir, error))?;
    let write = |name: &str, contents: Vec<u8>| {
        let path = dir.join(name);
        fs::write(&path, contents).map_err(|error| internal(&path, error))
    };
    let csca = pki
        .csca
        .certificate_der()
        .map_err(|error| internal(dir, error))?;
    let signer = pki
        .document_signer
        .certificate_der()
        .map_err(|error| internal(dir, error))?;
    write(
        "csca.pem",
        pem(&csca)
            .map_err(|error| internal(dir, error))?
            .into_bytes(),
    )?;
    write(
        "document-signer.pem",
        pem(&signer)
            .map_err(|error| internal(dir, error))?
            .into_bytes(),
    )?;
    let list = RevocationFile {
        version: 1,
        revoked_document_signer_serials: Vec::new(),
    };
    let mut json = serde_json::to_string_pretty(&list).expect("serializes");
    json.push('\n');
    write("revocation-list.json", json.into_bytes())?;
    write(
        "terminal/document-verifier.cvcert",
        pki.document_verifier.encode(),
    )?;
    write("terminal/terminal.cvcert", pki.terminal.encode())?;
    write(
        "terminal/terminal.key",
        format!("{}\n", hex(&pki.terminal_key.to_bytes())).into_bytes(),
    )?;
    Ok(())
}

/// A certificate from a PEM or DER file.
pub fn read_certificate(path: &Path) -> Result<Certificate, CliError> {
    let bytes = fs::read(path).map_err(|error| bad(path, error))?;
    let der = match std::str::from_utf8(&bytes) {
        Ok(text) if text.contains("-----BEGIN") => {
            let (label, der) =
                der::pem::decode_vec(text.as_bytes()).map_err(|error| bad(path, error))?;
            if label != PEM_LABEL {
                return Err(bad(
                    path,
                    format!("expected a {PEM_LABEL}, found a {label}"),
                ));
            }
            der
        }
        _ => bytes,
    };
    <Certificate as der::Decode>::from_der(&der)
        .map_err(|error| bad(path, format!("not an X.509 certificate: {error}")))
}

pub fn read_revocation_list(path: &Path) -> Result<RevocationList, CliError> {
    let text = fs::read_to_string(path).map_err(|error| bad(path, error))?;
    let file: RevocationFile = serde_json::from_str(&text).map_err(|error| bad(path, error))?;
    let mut list = RevocationList::new(file.version);
    for (index, serial) in file.revoked_document_signer_serials.iter().enumerate() {
        let bytes = unhex(serial).ok_or_else(|| {
            bad(
                path,
                format!("revoked_document_signer_serials[{index}]: {serial:?} is not hex"),
            )
        })?;
        list.revoke_serial(bytes);
    }
    Ok(list)
}

pub fn read_terminal(dir: &Path) -> Result<TerminalCredentials, CliError> {
    let certificate = |name: &str| {
        let path = dir.join(name);
        let bytes = fs::read(&path).map_err(|error| bad(&path, error))?;
        CvCertificate::decode(&bytes).map_err(|error| bad(&path, error))
    };
    let chain = vec![
        certificate("document-verifier.cvcert")?,
        certificate("terminal.cvcert")?,
    ];
    let key_path = dir.join("terminal.key");
    let text = fs::read_to_string(&key_path).map_err(|error| bad(&key_path, error))?;
    let key = unhex(&text)
        .and_then(|bytes| SigningKey::from_slice(&bytes).ok())
        .ok_or_else(|| bad(&key_path, "expected a P-256 private key as 64 hex digits"))?;
    Ok(TerminalCredentials { chain, key })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_trust_material_reads_back() {
        let dir = std::env::temp_dir().join(format!("hkic-trust-{}", std::process::id()));
        let pki = SpecimenPki::new(42).unwrap();
        write(&dir, &pki).unwrap();
        let csca = read_certificate(&dir.join("csca.pem")).unwrap();
        assert_eq!(&csca, pki.csca.certificate());
        assert!(
            read_revocation_list(&dir.join("revocation-list.json"))
                .unwrap()
                .is_empty()
        );
        let terminal = read_terminal(&dir.join("terminal")).unwrap();
        assert_eq!(terminal.chain, pki.terminal_chain());
        assert_eq!(terminal.key.to_bytes(), pki.terminal_key.to_bytes());
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn hex_round_trips_and_rejects_garbage() {
        assert_eq!(
            unhex(&hex(&[0x00, 0xAB, 0x10])),
            Some(vec![0x00, 0xAB, 0x10])
        );
        assert_eq!(unhex("ABC"), None);
        assert_eq!(unhex("ZZ"), None);
    }
}
