//! Our real chip behind pcscd and vsmartcard's vpcd, read by an eMRTD reader we did not
//! write: the crate `dmrtd` (BAC, PACE, secure messaging, LDS parsing, passive
//! authentication), its APDUs carried over PC/SC by [`PcscTransceiver`].
//!
//! What the tests prove, each through real pcscd:
//! - BAC with the card's key material (card number, date of birth, valid-until date), then
//!   DG1, DG2, DG14 and EF.SOD read byte for byte as personalised, and DG1's MRZ as dmrtd
//!   parses it holds the holder's data;
//! - the same over PACE with the CAN (ECDH generic mapping on P-256, AES), after a wrong CAN
//!   was refused on the same connection;
//! - dmrtd's passive authentication of DG1, DG2 and DG14 with our CSCA certificate as its only
//!   trust anchor (and not with another issuer's CSCA, and not for an altered DG1);
//! - DG3 is refused with 6982 to dmrtd, which has no terminal authentication, in a protected
//!   response that leaves the session usable.
//!
//! Needs pcscd with the vpcd driver (`bash ci/interop.sh` sets it up and runs these tests with
//! `--test-threads=1`: one card per vpcd slot). Without pcscd every test fails with the reason.

use std::num::NonZeroU32;
use std::time::Duration;

use chrono::NaiveDate;
use dmrtd::auth::passive::{self, ChainStatus, DataGroup, PassiveAuthError, TrustAnchor};
use dmrtd::lds::df1::{efdg1::EfDG1, efdg2::EfDG2, efdg14::EfDG14, efsod::EfSOD};
use dmrtd::lds::ef::ElementaryFile as _;
use dmrtd::passport::{Passport, PassportError};
use dmrtd::proto::can_key::CanKey;
use dmrtd::proto::dba_key::DBAKey;
use dmrtd::proto::iso7816::response_apdu::StatusWord;
use hkic_base::Date;
use hkic_chip::NewGenerationChip;
use hkic_chip::specimen::SpecimenPki;
use hkic_interop::reader::{self, PcscTransceiver};
use hkic_interop::{BackgroundBridge, Failure, InteropError, SpecimenCard};
use hkic_protocol::lds::{ElementaryFile, Sex, yymmdd};
use hkic_vpcd::{BridgeConfig, BridgeEvent, ChipCard, DEFAULT_ADDRESS, VirtualCard};

/// Bound on each wait for the bridge, pcscd or the reader.
const WAIT_LIMIT: Duration = Duration::from_secs(10);
/// The specimen card's seed (PKI, holder and chip).
const SEED: u64 = 42;

type ServedChip = BackgroundBridge<ChipCard<NewGenerationChip>>;

/// Gives up after about 5 s when vpcd is not listening, with the reason.
fn bridge_config() -> BridgeConfig {
    BridgeConfig {
        backoff_max: Duration::from_millis(250),
        connect_failures_max: NonZeroU32::new(20),
        ..BridgeConfig::new(DEFAULT_ADDRESS)
    }
}

/// The specimen card served in `Virtual PCD 00 00`, present to pcscd, and dmrtd connected to
/// it. The bridge is returned first so that it is dropped (stopped) last.
fn insert_specimen() -> Result<
    (
        ServedChip,
        pcsc::Context,
        Passport<PcscTransceiver>,
        SpecimenCard,
    ),
    InteropError,
> {
    let context = reader::establish()?;
    reader::wait_for_empty_reader(&context, WAIT_LIMIT)?;
    let (card, chip) = SpecimenCard::personalise(SEED)?;
    let expected_atr = chip.atr();
    let mut bridge = BackgroundBridge::start(chip, bridge_config())?;
    let connected = |event: &BridgeEvent| matches!(event, BridgeEvent::Connected { .. });
    bridge.wait_for("a connection to vpcd", WAIT_LIMIT, connected)?;
    let atr = reader::wait_for_card(&context, WAIT_LIMIT)?;
    assert_eq!(atr, expected_atr, "the reader reports our chip's ATR");
    let passport = Passport::new(PcscTransceiver::new(reader::connect(&context)?));
    Ok((bridge, context, passport, card))
}

/// dmrtd's result, its error turned into the test's reason.
fn step<T>(operation: &'static str, result: Result<T, PassportError>) -> Result<T, InteropError> {
    result.map_err(|error| InteropError::Reader {
        operation,
        message: match error.code {
            Some(status) => format!("{} ({status})", error.message),
            None => error.message,
        },
    })
}

fn naive_date(date: Date) -> NaiveDate {
    let (year, month, day) = date.ymd();
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN)
}

/// What dmrtd read of the card.
struct Read {
    dg1: EfDG1,
    dg2: EfDG2,
    dg14: EfDG14,
    sod: EfSOD,
}

fn read_data_groups(passport: &mut Passport<PcscTransceiver>) -> Result<Read, InteropError> {
    Ok(Read {
        dg1: step("reading DG1", passport.read_ef_dg1())?,
        dg2: step("reading DG2", passport.read_ef_dg2())?,
        dg14: step("reading DG14", passport.read_ef_dg14())?,
        sod: step("reading EF.SOD", passport.read_ef_sod())?,
    })
}

/// Every file as personalised, and DG1's MRZ as dmrtd parses it matches the holder.
fn check_read(read: &Read, card: &SpecimenCard) -> Result<(), InteropError> {
    assert_eq!(read.dg1.to_bytes(), card.file(ElementaryFile::Dg1)?);
    assert_eq!(read.dg2.to_bytes(), card.file(ElementaryFile::Dg2)?);
    assert_eq!(read.dg14.to_bytes(), card.file(ElementaryFile::Dg14)?);
    assert_eq!(read.sod.to_bytes(), card.file(ElementaryFile::Sod)?);
    let data = &card.personal_data;
    let mrz = read.dg1.mrz();
    assert_eq!(mrz.document_code, "ID");
    assert_eq!(mrz.country, "HKG");
    assert_eq!(
        mrz.document_number(),
        data.document_number.trim_end_matches('<')
    );
    assert_eq!(mrz.last_name, card.holder.surname);
    assert_eq!(mrz.first_name, card.holder.given_names);
    assert_eq!(mrz.gender, "M");
    assert_eq!(data.sex, Sex::Male, "the specimen holder is male");
    assert_eq!(mrz.date_of_birth, naive_date(data.date_of_birth));
    assert_eq!(mrz.date_of_expiry, naive_date(data.date_of_expiry()));
    assert_eq!(
        mrz.optional_data(),
        yymmdd(data.date_of_issue),
        "line 1's optional data holds the date of issue"
    );
    assert_eq!(
        read.dg2.image_data.as_deref(),
        Some(&card.holder.facial_image[..]),
        "DG2's ISO/IEC 19794-5 record holds the portrait"
    );
    Ok(())
}

/// DG3 is refused with 6982, and the refusal does not end the session.
fn check_dg3_refused(passport: &mut Passport<PcscTransceiver>) -> Result<(), InteropError> {
    let error = match passport.read_ef_dg3() {
        Ok(dg3) => panic!(
            "DG3 ({} bytes) was read without terminal authentication",
            dg3.to_bytes().len()
        ),
        Err(error) => error,
    };
    assert_eq!(
        error.code,
        Some(StatusWord::SECURITY_STATUS_NOT_SATISFIED),
        "{}",
        error.message
    );
    step(
        "reading DG1 after the refusal of DG3",
        passport.read_ef_dg1(),
    )?;
    Ok(())
}

#[test]
fn dmrtd_reads_the_card_over_bac() -> Result<(), Failure> {
    let (bridge, _context, mut passport, card) = insert_specimen()?;
    let data = &card.personal_data;
    let key = DBAKey::new(
        data.document_number.trim_end_matches('<'),
        naive_date(data.date_of_birth),
        naive_date(data.date_of_expiry()),
        false,
    )
    .map_err(|error| InteropError::Reader {
        operation: "building the BAC key",
        message: error.to_string(),
    })?;
    step("BAC", passport.start_session(key))?;
    let read = read_data_groups(&mut passport)?;
    check_read(&read, &card)?;
    check_dg3_refused(&mut passport)?;
    drop(passport);
    bridge.stop()?;
    Ok(())
}

fn can_key(can: &str) -> Result<CanKey, InteropError> {
    CanKey::new(can).map_err(|error| InteropError::Reader {
        operation: "building the CAN key",
        message: error.to_string(),
    })
}

/// The CAN with its last digit changed.
fn wrong_can(can: &str) -> String {
    let mut digits: Vec<u8> = can.bytes().collect();
    if let Some(last) = digits.last_mut() {
        *last = b'0' + (*last - b'0' + 1) % 10;
    }
    String::from_utf8_lossy(&digits).into_owned()
}

/// PACE with the card's CAN through dmrtd, after a refused attempt with a wrong CAN.
fn pace(passport: &mut Passport<PcscTransceiver>, card: &SpecimenCard) -> Result<(), InteropError> {
    let card_access = step("reading EF.CardAccess", passport.read_ef_card_access())?;
    assert_eq!(
        card_access.to_bytes(),
        card.file(ElementaryFile::CardAccess)?
    );
    let can = &card.holder.card_access_number;
    let refused = passport.start_session_pace(can_key(&wrong_can(can))?, &card_access);
    assert!(refused.is_err(), "PACE with a wrong CAN was accepted");
    step(
        "PACE with the CAN",
        passport.start_session_pace(can_key(can)?, &card_access),
    )
}

#[test]
fn dmrtd_reads_the_card_over_pace_with_the_can() -> Result<(), Failure> {
    let (bridge, _context, mut passport, card) = insert_specimen()?;
    pace(&mut passport, &card)?;
    let read = read_data_groups(&mut passport)?;
    check_read(&read, &card)?;
    check_dg3_refused(&mut passport)?;
    drop(passport);
    bridge.stop()?;
    Ok(())
}

fn anchor(certificate: &[u8]) -> Result<TrustAnchor, InteropError> {
    TrustAnchor::from_certificate(certificate).map_err(|error| InteropError::Reader {
        operation: "parsing a CSCA certificate",
        message: error.to_string(),
    })
}

#[test]
fn dmrtd_passive_authentication_chains_to_our_csca() -> Result<(), Failure> {
    let (bridge, _context, mut passport, card) = insert_specimen()?;
    pace(&mut passport, &card)?;
    let read = read_data_groups(&mut passport)?;
    drop(passport);
    bridge.stop()?;

    let groups = [
        DataGroup {
            number: 1,
            bytes: read.dg1.to_bytes(),
        },
        DataGroup {
            number: 2,
            bytes: read.dg2.to_bytes(),
        },
        DataGroup {
            number: 14,
            bytes: read.dg14.to_bytes(),
        },
    ];
    let ours = anchor(&card.csca_certificate)?;
    let result = passive::verify(read.sod.to_bytes(), &groups, std::slice::from_ref(&ours))
        .map_err(|error| InteropError::Reader {
            operation: "passive authentication",
            message: error.to_string(),
        })?;
    assert!(result.is_authentic(), "{result:?}");
    assert!(matches!(result.chain, ChainStatus::Trusted { .. }));
    assert_eq!(result.verified_groups, [1, 2, 14]);
    assert_eq!(
        result.sod_groups,
        [1, 2, 3, 14],
        "the SOD covers DG3 too, which dmrtd cannot read"
    );

    let other_issuer = SpecimenPki::new(SEED + 1)
        .and_then(|pki| Ok(pki.csca.certificate_der()?))
        .map_err(|error| InteropError::Specimen(error.to_string()))?;
    let elsewhere = passive::verify(read.sod.to_bytes(), &groups, &[anchor(&other_issuer)?]);
    assert_eq!(
        elsewhere.map(|result| result.chain),
        Ok(ChainStatus::Unverified),
        "another issuer's CSCA does not anchor our Document Signer"
    );
    let mut altered = read.dg1.to_bytes().to_vec();
    let last = altered.len() - 1;
    altered[last] ^= 0x01;
    let altered_groups = [DataGroup {
        number: 1,
        bytes: &altered,
    }];
    assert_eq!(
        passive::verify(read.sod.to_bytes(), &altered_groups, &[ours]),
        Err(PassiveAuthError::DataGroupHashMismatch(1))
    );
    Ok(())
}
