use super::*;
use hkic_base::seed_stream;
use proptest::prelude::*;

const CSCA_NAME: &str = "CN=HKSAR CSCA,O=Immigration Department,C=HK";
const SIGNER_NAME: &str = "CN=HKSAR Document Signer 1,O=Immigration Department,C=HK";

fn validity(first_year: i32, years: i32) -> CertificateValidity {
    CertificateValidity {
        not_before: Date::from_ymd(first_year, 1, 1).unwrap(),
        not_after: Date::from_ymd(first_year + years, 1, 1).unwrap(),
    }
}

fn authority(seed: u64) -> CountrySigningAuthority {
    CountrySigningAuthority::new(CSCA_NAME, 1, validity(2018, 15), &mut seed_stream(seed)).unwrap()
}

fn signer(csca: &CountrySigningAuthority, seed: u64) -> DocumentSigner {
    csca.issue_document_signer(
        SIGNER_NAME,
        1001,
        validity(2018, 11),
        &mut seed_stream(seed),
    )
    .unwrap()
}

fn sample_groups() -> Vec<(u8, Vec<u8>)> {
    vec![
        (1, b"\x61\x03DG1".to_vec()),
        (2, vec![0x75; 300]),
        (14, b"\x6E\x04DG14".to_vec()),
    ]
}

fn borrowed(groups: &[(u8, Vec<u8>)]) -> Vec<(u8, &[u8])> {
    groups
        .iter()
        .map(|(number, bytes)| (*number, bytes.as_slice()))
        .collect()
}

#[test]
fn built_sod_verifies_against_its_csca() {
    let csca = authority(1);
    let groups = sample_groups();
    let sod = signer(&csca, 2).build_sod(&borrowed(&groups)).unwrap();
    let verdict = verify_sod(&sod, &borrowed(&groups), &[csca.certificate().clone()]);
    assert!(
        matches!(verdict, PassiveAuthenticationVerdict::Valid { .. }),
        "{verdict:?}"
    );
    // Reading only some data groups is fine; one not in the SOD is reported.
    let some = [(2, groups[1].1.as_slice())];
    assert!(matches!(
        verify_sod(&sod, &some, &[csca.certificate().clone()]),
        PassiveAuthenticationVerdict::Valid { .. }
    ));
    let extra = [(3, b"DG3".as_slice())];
    assert_eq!(
        verify_sod(&sod, &extra, &[csca.certificate().clone()]),
        PassiveAuthenticationVerdict::DataGroupNotInSod { number: 3 }
    );
}

#[test]
fn csca_certificate_is_a_self_signed_ca() {
    let csca = authority(1);
    assert!(issued_by(csca.certificate(), csca.certificate()));
    let document_signer = signer(&csca, 2);
    assert!(issued_by(document_signer.certificate(), csca.certificate()));
    assert!(!issued_by(
        csca.certificate(),
        document_signer.certificate()
    ));
    let constraints = csca
        .certificate()
        .tbs_certificate()
        .get_extension::<BasicConstraints>()
        .unwrap();
    assert!(constraints.unwrap().1.ca);
}

#[test]
fn altered_data_group_is_reported() {
    let csca = authority(1);
    let groups = sample_groups();
    let sod = signer(&csca, 2).build_sod(&borrowed(&groups)).unwrap();
    let mut altered = groups.clone();
    altered[1].1[7] ^= 0x01;
    assert_eq!(
        verify_sod(&sod, &borrowed(&altered), &[csca.certificate().clone()]),
        PassiveAuthenticationVerdict::AlteredDataGroup { number: 2 }
    );
}

#[test]
fn sod_from_another_csca_has_an_unknown_signer() {
    let genuine = authority(1);
    // Same name, different key: a forger's CSCA.
    let forger = authority(99);
    let groups = sample_groups();
    let sod = signer(&forger, 2).build_sod(&borrowed(&groups)).unwrap();
    assert_eq!(
        verify_sod(&sod, &borrowed(&groups), &[genuine.certificate().clone()]),
        PassiveAuthenticationVerdict::UnknownSigner
    );
    assert_eq!(
        verify_sod(&sod, &borrowed(&groups), &[]),
        PassiveAuthenticationVerdict::UnknownSigner
    );
}

/// Decodes an SOD, lets `change` edit its SignedData, and re-encodes it.
fn tamper(sod: &[u8], change: impl FnOnce(&mut SignedData)) -> Vec<u8> {
    let wrapper = TlvRef::decode_exact(sod, Tag(0x77)).unwrap();
    let content_info = ContentInfo::from_der(wrapper.value).unwrap();
    let mut signed_data: SignedData = content_info.content.decode_as().unwrap();
    change(&mut signed_data);
    let content_info = ContentInfo {
        content_type: OID_SIGNED_DATA,
        content: Any::encode_from(&signed_data).unwrap(),
    };
    tlv::encode(Tag(0x77), &content_info.to_der().unwrap())
}

#[test]
fn bad_signatures_are_reported() {
    let csca = authority(1);
    let groups = sample_groups();
    let document_signer = signer(&csca, 2);
    let sod = document_signer.build_sod(&borrowed(&groups)).unwrap();
    let trusted = [csca.certificate().clone()];
    // A signature by another key over the same attributes.
    let other_key = signing_key(&mut seed_stream(3)).unwrap();
    let forged = tamper(&sod, |signed_data| {
        let mut infos: Vec<SignerInfo> = signed_data.signer_infos.0.iter().cloned().collect();
        let attributes = infos[0].signed_attrs.as_ref().unwrap().to_der().unwrap();
        let signature: Signature = other_key.sign(&attributes);
        infos[0].signature = OctetString::new(signature.to_der().as_bytes().to_vec()).unwrap();
        signed_data.signer_infos = SignerInfos(SetOfVec::try_from(infos).unwrap());
    });
    assert_eq!(
        verify_sod(&forged, &borrowed(&groups), &trusted),
        PassiveAuthenticationVerdict::BadSignature
    );
    // New hashes swapped in without re-signing: the message digest no longer matches.
    let mut altered = groups.clone();
    altered[0].1.push(0);
    let resigned = document_signer.build_sod(&borrowed(&altered)).unwrap();
    let swapped = tamper(&sod, |signed_data| {
        let other = tamper(&resigned, |_| {});
        let other_content =
            ContentInfo::from_der(TlvRef::decode_exact(&other, Tag(0x77)).unwrap().value).unwrap();
        let other_signed: SignedData = other_content.content.decode_as().unwrap();
        signed_data.encap_content_info = other_signed.encap_content_info;
    });
    assert_eq!(
        verify_sod(&swapped, &borrowed(&altered), &trusted),
        PassiveAuthenticationVerdict::BadSignature
    );
}

#[test]
fn same_seed_gives_byte_identical_certificates_and_sod() {
    let groups = sample_groups();
    let build = |seed: u64| {
        let csca = authority(seed);
        let document_signer = signer(&csca, seed + 1);
        (
            csca.certificate_der().unwrap(),
            document_signer.certificate_der().unwrap(),
            document_signer.build_sod(&borrowed(&groups)).unwrap(),
        )
    };
    let first = build(10);
    assert_eq!(first, build(10));
    let other = build(20);
    assert_ne!(first.0, other.0);
    assert_ne!(first.1, other.1);
    assert_ne!(first.2, other.2);
}

#[test]
fn refuses_to_build_without_data_groups() {
    let csca = authority(1);
    assert_eq!(
        signer(&csca, 2).build_sod(&[]),
        Err(PkiError::DataGroupCount(0))
    );
    assert!(
        CountrySigningAuthority::new("not a name", 1, validity(2018, 1), &mut seed_stream(1))
            .is_err()
    );
}

#[test]
fn verified_document_signers_skip_only_the_certificate_check() {
    let csca = authority(1);
    let groups = sample_groups();
    let document_signer = signer(&csca, 2);
    let sod = document_signer.build_sod(&borrowed(&groups)).unwrap();
    let trusted = [csca.certificate().clone()];
    let mut verified = VerifiedDocumentSigners::default();
    assert!(verified.admit(document_signer.certificate(), &trusted));
    assert!(verified.admit(document_signer.certificate(), &trusted));
    assert_eq!(verified.len(), 1);
    assert!(matches!(
        verify_sod_with(&sod, &borrowed(&groups), &trusted, &verified),
        PassiveAuthenticationVerdict::Valid { .. }
    ));
    // The data groups and the SOD's own signature are still checked.
    let mut altered = groups.clone();
    altered[1].1[7] ^= 0x01;
    assert_eq!(
        verify_sod_with(&sod, &borrowed(&altered), &trusted, &verified),
        PassiveAuthenticationVerdict::AlteredDataGroup { number: 2 }
    );
    let other_key = signing_key(&mut seed_stream(3)).unwrap();
    let forged = tamper(&sod, |signed_data| {
        let mut infos: Vec<SignerInfo> = signed_data.signer_infos.0.iter().cloned().collect();
        let attributes = infos[0].signed_attrs.as_ref().unwrap().to_der().unwrap();
        let signature: Signature = other_key.sign(&attributes);
        infos[0].signature = OctetString::new(signature.to_der().as_bytes().to_vec()).unwrap();
        signed_data.signer_infos = SignerInfos(SetOfVec::try_from(infos).unwrap());
    });
    assert_eq!(
        verify_sod_with(&forged, &borrowed(&groups), &trusted, &verified),
        PassiveAuthenticationVerdict::BadSignature
    );
    // A CSCA no longer trusted vouches for nothing, even for a signer verified under it.
    assert_eq!(
        verify_sod_with(&sod, &borrowed(&groups), &[], &verified),
        PassiveAuthenticationVerdict::UnknownSigner
    );
}

#[test]
fn only_signers_a_trusted_csca_issued_are_admitted() {
    let genuine = authority(1);
    let forger = authority(99);
    let mut verified = VerifiedDocumentSigners::default();
    let trusted = [genuine.certificate().clone()];
    assert!(!verified.admit(signer(&forger, 2).certificate(), &trusted));
    assert!(verified.is_empty());
    // A forger's signer with the genuine one's name and serial is another certificate.
    assert!(verified.admit(signer(&genuine, 2).certificate(), &trusted));
    let groups = sample_groups();
    let sod = signer(&forger, 2).build_sod(&borrowed(&groups)).unwrap();
    assert_eq!(
        verify_sod_with(&sod, &borrowed(&groups), &trusted, &verified),
        PassiveAuthenticationVerdict::UnknownSigner
    );
}

#[test]
fn later_data_groups_are_checked_against_the_verified_sod() {
    let csca = authority(1);
    let groups = sample_groups();
    let sod = signer(&csca, 2).build_sod(&borrowed(&groups)).unwrap();
    let dg2 = groups[1].1.clone();
    assert_eq!(
        check_data_groups_of_verified_sod(&sod, &[(2, &dg2)]),
        Ok(())
    );
    let mut altered = dg2.clone();
    altered[0] ^= 0x01;
    assert_eq!(
        check_data_groups_of_verified_sod(&sod, &[(2, &altered)]),
        Err(PassiveAuthenticationVerdict::AlteredDataGroup { number: 2 })
    );
    assert_eq!(
        check_data_groups_of_verified_sod(&sod, &[(3, b"DG3")]),
        Err(PassiveAuthenticationVerdict::DataGroupNotInSod { number: 3 })
    );
    assert!(check_data_groups_of_verified_sod(b"garbage", &[]).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn build_then_verify_and_detect_alteration(
        contents in prop::collection::vec(prop::collection::vec(any::<u8>(), 1..200), 1..5),
        flip in any::<prop::sample::Index>(),
    ) {
        let csca = authority(5);
        let document_signer = signer(&csca, 6);
        let groups: Vec<(u8, Vec<u8>)> = contents.into_iter().enumerate().map(|(index, bytes)| (index as u8 + 1, bytes)).collect();
        let sod = document_signer.build_sod(&borrowed(&groups)).unwrap();
        let trusted = [csca.certificate().clone()];
        let verdict = verify_sod(&sod, &borrowed(&groups), &trusted);
        let valid = matches!(verdict, PassiveAuthenticationVerdict::Valid { .. });
        prop_assert!(valid);
        let mut altered = groups.clone();
        let target = flip.index(altered.len());
        let position = flip.index(altered[target].1.len());
        altered[target].1[position] ^= 0x80;
        prop_assert_eq!(
            verify_sod(&sod, &borrowed(&altered), &trusted),
            PassiveAuthenticationVerdict::AlteredDataGroup { number: target as u8 + 1 }
        );
    }

    #[test]
    fn verifying_garbage_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let verdict = verify_sod(&bytes, &[], &[]);
        let valid = matches!(verdict, PassiveAuthenticationVerdict::Valid { .. });
        prop_assert!(!valid);
    }
}
