//! The issuer's trust material for one run, made once from the seed with the helpers
//! `hkic-sim card serve` uses (`hkic_chip::specimen::SpecimenPki`): the Country Signing CA,
//! the Document Signers whose certificates it signed and who sign the cards' SODs, and the
//! terminal-authentication PKI: the CVCA each chip trusts, a document verifier, and the
//! inspection-system certificate and key the collection kiosks (and the line's read-back
//! station) present to read DG3.
//!
//! Document Signers roll over on the production schedule
//! (`hkic_services::production::DocumentSignerSchedule`): signer 0 is the specimen PKI's own,
//! every later one is issued by the same CSCA with a key from a stream of its own (so the
//! schedule changes no other draw). Only the signers the run's dates of issue need are made.
//! Each certificate is valid from its first day in service to the CSCA's own end, so every
//! card it signed verifies for the card's lifetime.
//!
//! Every reader of the run trusts the one CSCA; no Document Signer is revoked during a run,
//! so readers carry no revocation list.
//!
//! Verified once, when the run starts: the Document Signers' certificates against the CSCA
//! (every reader of the run starts with it among its verified Document Signers, as
//! inspection systems hold the Document Signer certificates they have validated), and the
//! terminal chain against the CVCA (every chip shares the answer: see
//! `hkic_protocol::ta::VerifiedCvCertificates`). Both are pure functions of identical bytes;
//! every SOD signature, data group, chip-authentication key and terminal signature is still
//! checked at every read.

use std::collections::{BTreeMap, BTreeSet};

use hkic_base::Date;
use hkic_chip::Issuer;
use hkic_chip::specimen::{SpecimenPki, specimen_validity};
use hkic_kernel::Streams;
use hkic_protocol::curve::Curve;
use hkic_protocol::pa::{
    Certificate, CertificateValidity, DocumentSigner, VerifiedDocumentSigners,
};
use hkic_protocol::ta::VerifiedCvCertificates;
use hkic_services::production::DocumentSignerSchedule;
use hkic_services::registry::RevocationListSigningKey;
use hkic_terminals::card_read::{CardAccessKey, CardReadConfig, TerminalCredentials};
use rand::RngExt;
use std::sync::Arc;

use crate::labels;

/// The run's PKI and the terminal credentials made from it.
#[derive(Debug, Clone)]
pub struct Trust {
    pki: SpecimenPki,
    terminal: TerminalCredentials,
    schedule: DocumentSignerSchedule,
    /// The Document Signers after the first that the run's cards need, by number.
    later_signers: BTreeMap<u32, DocumentSigner>,
    verified_document_signers: Arc<VerifiedDocumentSigners>,
    verified_cv_certificates: Arc<VerifiedCvCertificates>,
}

impl Trust {
    /// The trust material of the run of `streams`: the same seed, the same keys and
    /// certificates (ECDSA signs with RFC 6979 nonces), with a Document Signer for every
    /// period of `schedule` that one of `dates_of_issue` falls in.
    pub fn new(
        streams: &Streams,
        schedule: DocumentSignerSchedule,
        dates_of_issue: impl IntoIterator<Item = Date>,
    ) -> Trust {
        let seed = streams.stream(labels::issuer_pki()).random::<u64>();
        let pki = SpecimenPki::new(seed).expect("the specimen PKI builds from any seed");
        let terminal = TerminalCredentials {
            chain: pki.terminal_chain(),
            key: pki.terminal_key.clone(),
        };
        let numbers: BTreeSet<u32> = dates_of_issue
            .into_iter()
            .map(|date| schedule.signer_on(date))
            .filter(|&number| number > 0)
            .collect();
        let later_signers: BTreeMap<u32, DocumentSigner> = numbers
            .into_iter()
            .map(|number| (number, later_signer(&pki, streams, schedule, number)))
            .collect();
        let anchors = [pki.csca.certificate().clone()];
        let mut verified_document_signers = VerifiedDocumentSigners::default();
        let signers = std::iter::once(&pki.document_signer).chain(later_signers.values());
        for signer in signers {
            let admitted = verified_document_signers.admit(signer.certificate(), &anchors);
            assert!(
                admitted,
                "the run's Document Signers are issued by its CSCA"
            );
        }
        let verified_cv_certificates = VerifiedCvCertificates::chain(&pki.cvca, &terminal.chain);
        assert_eq!(
            verified_cv_certificates.len(),
            terminal.chain.len(),
            "the run's terminal chain verifies from its CVCA"
        );
        Trust {
            pki,
            terminal,
            schedule,
            later_signers,
            verified_document_signers: Arc::new(verified_document_signers),
            verified_cv_certificates: Arc::new(verified_cv_certificates),
        }
    }

    /// Who issues a card dated `date_of_issue`: the Document Signer in service that day,
    /// the CVCA of terminal authentication.
    pub fn issuer_on(&self, date_of_issue: Date) -> Issuer<'_> {
        let number = self.schedule.signer_on(date_of_issue);
        if number == 0 {
            return self.pki.issuer();
        }
        let document_signer = self
            .later_signers
            .get(&number)
            .unwrap_or_else(|| panic!("no Document Signer made for a card dated {date_of_issue}"));
        Issuer {
            document_signer,
            cvca: &self.pki.cvca,
        }
    }

    /// The terminal certificates every chip of the run has verified (see the module
    /// documentation).
    pub fn verified_cv_certificates(&self) -> &Arc<VerifiedCvCertificates> {
        &self.verified_cv_certificates
    }

    /// The run's trust anchor for passive authentication.
    pub fn csca_certificate(&self) -> &Certificate {
        self.pki.csca.certificate()
    }

    /// A full read with the card access number `can`: PACE, passive authentication up to the
    /// run's CSCA, chip authentication, terminal authentication with the run's inspection
    /// system and DG3 (and DG2 when `facial_image` is asked for).
    pub fn full_read(&self, can: &str, facial_image: bool) -> CardReadConfig {
        let anchor = self.csca_certificate().clone();
        CardReadConfig {
            verified_document_signers: Arc::clone(&self.verified_document_signers),
            terminal: Some(self.terminal.clone()),
            read_facial_image: facial_image,
            ..CardReadConfig::new(CardAccessKey::Can(can.to_owned()), vec![anchor])
        }
    }
}

/// Document Signer `number` (from 1) of the schedule, issued by the run's CSCA, its key
/// drawn from its own stream.
fn later_signer(
    pki: &SpecimenPki,
    streams: &Streams,
    schedule: DocumentSignerSchedule,
    number: u32,
) -> DocumentSigner {
    let in_service = schedule.in_service_from(number);
    let name = format!("CN=HKSAR DS {in_service},O=Immigration Department,C=HK");
    let validity = CertificateValidity {
        not_before: in_service,
        // The CSCA's own end: no Document Signer certificate outlives it.
        not_after: specimen_validity().not_after,
    };
    let mut stream = streams.stream(labels::document_signer(number));
    let serial = DOCUMENT_SIGNER_SERIALS + u64::from(number);
    pki.csca
        .issue_document_signer(&name, serial, validity, &mut stream)
        .expect("a Document Signer builds from any stream")
}

/// Later Document Signers' serial numbers count from here, clear of the specimen PKI's.
const DOCUMENT_SIGNER_SERIALS: u64 = 1_000;

/// The registry's key for signing revocation lists: drawn from the run's seed like the rest
/// of the issuer's trust material, from a stream of its own, so it exists at every fidelity
/// and changes no other draw.
pub fn revocation_list_key(streams: &Streams) -> RevocationListSigningKey {
    let mut stream = streams.stream(labels::revocation_list_key());
    let scalar = Curve::NistP256
        .random_scalar(&mut stream)
        .expect("a stream never runs out");
    RevocationListSigningKey::from_scalar(scalar.as_bytes())
        .expect("a P-256 scalar is a signing key")
}
