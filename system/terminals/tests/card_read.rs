//! The card reader against emulated chips, end to end: one verdict per kind of card, the
//! PACE retry counter, BAC, link faults and retries, replays, determinism and transmission
//! time.

use hkic_base::{SimDuration, seed_stream};
use hkic_chip::specimen::{SpecimenPki, specimen_holder};
use hkic_chip::{
    CardChip, CardFiles, ContactlessBitRate, Forgery, HolderData, Interface, Link, LinkFaults,
    NewGenerationChip, SodSigning, forge, personalise, personalise_chip_signing,
};
use hkic_protocol::apdu::{ResponseApdu, StatusWord};
use hkic_protocol::lds::{self, ElementaryFile};
use hkic_protocol::pa::{self, CertificateValidity, PassiveAuthenticationVerdict};
use hkic_services::production::DocumentSignerSchedule;
use hkic_terminals::card_read::{
    CardAccessKey, CardReadConfig, CardReadInput, CardReadOutput, CardReadReport, CardReader,
    CardVerdict, RevocationList, TerminalCredentials,
};

/// One read: the report, the virtual time it took and the command bytes sent.
struct Read {
    report: CardReadReport,
    duration: SimDuration,
    commands: Vec<Vec<u8>>,
}

/// Drives `reader` against `chip` over `link`. Activation keeps a powered chip powered (a
/// card that stays in the field), and powers an unpowered one.
fn drive(mut reader: CardReader, chip: &mut dyn CardChip, link: &Link) -> Read {
    let interface = link.interface();
    let mut duration = SimDuration::ZERO;
    let mut commands = Vec::new();
    for _ in 0..10_000 {
        let input = match reader
            .poll_output()
            .expect("the reader always has an output")
        {
            CardReadOutput::Activate => {
                let activated = if chip.powered_interface() == Some(interface) {
                    chip.reset()
                } else {
                    chip.power_off();
                    chip.power_on(interface)
                };
                match activated {
                    Ok(_) => CardReadInput::Activated,
                    Err(_) => CardReadInput::TransmissionFailed,
                }
            }
            CardReadOutput::Transmit(command) => {
                let exchange = chip.transmit(interface, &command);
                duration += link.exchange_duration(command.len(), &exchange);
                commands.push(command);
                match exchange.response {
                    Ok(response) => CardReadInput::Response(response),
                    Err(_) => CardReadInput::TransmissionFailed,
                }
            }
            CardReadOutput::Finished(report) => {
                assert!(reader.poll_output().is_none());
                return Read {
                    report: *report,
                    duration,
                    commands,
                };
            }
        };
        reader.handle_input(input);
    }
    panic!("the read did not finish");
}

struct Fixture {
    pki: SpecimenPki,
    holder: HolderData,
    chip: NewGenerationChip,
    files: CardFiles,
}

fn fixture(seed: u64) -> Fixture {
    let pki = SpecimenPki::new(seed).unwrap();
    let holder = specimen_holder(seed, 4_000);
    let (chip, files) = personalise(&holder, pki.issuer(), seed_stream(seed + 1)).unwrap();
    Fixture {
        pki,
        holder,
        chip,
        files,
    }
}

fn gate_config(fixture: &Fixture) -> CardReadConfig {
    let mut config = CardReadConfig::new(
        CardAccessKey::Can(fixture.holder.card_access_number.clone()),
        vec![fixture.pki.csca.certificate().clone()],
    );
    config.terminal = Some(TerminalCredentials {
        chain: fixture.pki.terminal_chain(),
        key: fixture.pki.terminal_key.clone(),
    });
    config
}

fn contactless() -> Link {
    Link::contactless(ContactlessBitRate::Kbps424)
}

fn read(config: CardReadConfig, chip: &mut dyn CardChip, seed: u64) -> Read {
    drive(
        CardReader::new(config, seed_stream(seed)),
        chip,
        &contactless(),
    )
}

#[test]
fn a_genuine_card_reads_whole_with_its_holder_and_thumbprints() {
    let mut fixture = fixture(1);
    let mut config = gate_config(&fixture);
    config.read_facial_image = true;
    let read = read(config, &mut fixture.chip, 10);
    assert_eq!(read.report.verdict, CardVerdict::Genuine);
    assert_eq!(read.report.dg3_refused, None);
    let holder = read.report.holder.unwrap();
    assert_eq!(holder.personal_data, fixture.files.personal_data);
    assert_eq!(
        holder.facial_image.as_deref(),
        Some(&fixture.holder.facial_image[..])
    );
    assert_eq!(
        holder.thumb_templates,
        Some(fixture.holder.thumb_templates.to_vec())
    );
    let serial = hkic_terminals::card_read::serial_of(fixture.pki.document_signer.certificate());
    assert_eq!(holder.document_signer_serial, serial);
    assert_eq!(read.report.attempts, 1);
}

#[test]
fn every_counterfeit_gets_its_own_verdict() {
    let fixture = fixture(2);
    let cases = [
        (Forgery::Clone, CardVerdict::Cloned),
        (
            Forgery::AlteredDataGroup { number: 1 },
            CardVerdict::Altered {
                data_group: Some(1),
            },
        ),
        (
            Forgery::AlteredDataGroup { number: 2 },
            CardVerdict::Altered {
                data_group: Some(2),
            },
        ),
        (
            Forgery::AlteredDataGroup { number: 14 },
            CardVerdict::Altered {
                data_group: Some(14),
            },
        ),
        (Forgery::UnknownSigner, CardVerdict::UnknownSigner),
    ];
    for (forgery, expected) in cases {
        let mut counterfeit = forge(&fixture.chip, forgery, seed_stream(20)).unwrap();
        let mut config = gate_config(&fixture);
        config.read_facial_image = true;
        let read = read(config, &mut counterfeit, 21);
        assert_eq!(read.report.verdict, expected, "{forgery:?}");
    }
    // The altered surname is what the counterfeit claims; the verdict says not to trust it.
    let mut altered = forge(
        &fixture.chip,
        Forgery::AlteredDataGroup { number: 1 },
        seed_stream(22),
    )
    .unwrap();
    let report = read(gate_config(&fixture), &mut altered, 23).report;
    assert_eq!(report.holder.unwrap().personal_data.surname, "DHAN");
}

/// DG3 is read only after chip and terminal authentication, and checked against the SOD
/// that passive authentication verified earlier in the same read: a card whose SOD was
/// signed before its DG3 was written (the line's defect `SodSigning::BeforeDg3`) is altered
/// in DG3, though everything before it verifies.
#[test]
fn a_dg3_its_sod_does_not_hash_is_altered() {
    let fixture = fixture(5);
    let mut chip = NewGenerationChip::blank(seed_stream(50));
    let signing = SodSigning::BeforeDg3;
    personalise_chip_signing(&mut chip, &fixture.holder, fixture.pki.issuer(), signing).unwrap();
    let report = read(gate_config(&fixture), &mut chip, 51).report;
    assert_eq!(
        report.verdict,
        CardVerdict::Altered {
            data_group: Some(3)
        }
    );
}

#[test]
fn a_card_of_a_revoked_document_signer_is_revoked() {
    let fixture = fixture(3);
    let mut second = fixture.pki.issuer();
    second.document_signer = &fixture.pki.second_document_signer;
    let (mut revoked_card, _) = personalise(&fixture.holder, second, seed_stream(30)).unwrap();
    let mut revocation_list = RevocationList::new(7);
    revocation_list.revoke(fixture.pki.second_document_signer.certificate());
    let mut config = gate_config(&fixture);
    config.revocation_list = Some(revocation_list);
    let report = read(config.clone(), &mut revoked_card, 31).report;
    assert_eq!(report.verdict, CardVerdict::Revoked);
    let mut genuine = fixture.chip.clone();
    assert_eq!(
        read(config, &mut genuine, 32).report.verdict,
        CardVerdict::Genuine
    );
}

/// The Document Signer whose certificate the card's SOD carries, checked up to the CSCA.
fn document_signer_of(files: &CardFiles, pki: &SpecimenPki) -> String {
    let sod = files.get(ElementaryFile::Sod).unwrap();
    let dg1 = files.get(ElementaryFile::Dg1).unwrap();
    let trusted = [pki.csca.certificate().clone()];
    match pa::verify_sod(sod, &[(1, dg1)], &trusted) {
        PassiveAuthenticationVerdict::Valid { document_signer } => {
            document_signer.tbs_certificate().subject().to_string()
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn cards_signed_before_and_after_a_document_signer_rollover_both_read_genuine() {
    // ICAO 9303-12: a Document Signer's key signs for a short period, its certificate stays
    // valid for the cards' lifetime. The reader trusts the CSCA only.
    let fixture = fixture(4);
    let schedule = DocumentSignerSchedule::default();
    let (before, after) = ("2019-02-20".parse().unwrap(), "2019-03-04".parse().unwrap());
    assert_eq!(
        (schedule.signer_on(before), schedule.signer_on(after)),
        (0, 1)
    );
    let validity = CertificateValidity {
        not_before: schedule.in_service_from(1),
        not_after: "2038-01-01".parse().unwrap(),
    };
    let name = "CN=HKSAR DS 2019-02-25,O=Immigration Department,C=HK";
    let csca = &fixture.pki.csca;
    let rolled = csca
        .issue_document_signer(name, 1_001, validity, &mut seed_stream(40))
        .unwrap();
    let mut cards = Vec::new();
    for (date_of_issue, document_signer) in
        [(before, &fixture.pki.document_signer), (after, &rolled)]
    {
        let holder = HolderData {
            date_of_issue,
            ..fixture.holder.clone()
        };
        let mut issuer = fixture.pki.issuer();
        issuer.document_signer = document_signer;
        let (mut chip, files) = personalise(&holder, issuer, seed_stream(41)).unwrap();
        let report = read(gate_config(&fixture), &mut chip, 42).report;
        assert_eq!(report.verdict, CardVerdict::Genuine, "{date_of_issue}");
        assert_eq!(report.holder.unwrap().personal_data, files.personal_data);
        cards.push(document_signer_of(&files, &fixture.pki));
    }
    assert_eq!(
        cards,
        [
            "CN=HKSAR DS 1,O=Immigration Department,C=HK",
            "CN=HKSAR DS 2019-02-25,O=Immigration Department,C=HK"
        ]
    );
}

#[test]
fn wrong_cans_are_refused_then_blocked_until_a_power_cycle() {
    let mut fixture = fixture(4);
    let mut wrong = gate_config(&fixture);
    wrong.access_key = CardAccessKey::Can("000000".to_owned());
    fixture.chip.power_on(Interface::Contactless);
    for attempt in 0..3 {
        let report = read(wrong.clone(), &mut fixture.chip, 40 + attempt).report;
        let refused = CardVerdict::WrongCan {
            status: StatusWord::AUTHENTICATION_FAILED,
        };
        assert_eq!(report.verdict, refused);
        assert_eq!(report.attempts, 1);
    }
    let right = gate_config(&fixture);
    let blocked = read(right.clone(), &mut fixture.chip, 44).report;
    let expected = CardVerdict::WrongCan {
        status: StatusWord::AUTHENTICATION_METHOD_BLOCKED,
    };
    assert_eq!(blocked.verdict, expected);
    fixture.chip.power_off();
    assert_eq!(
        read(right, &mut fixture.chip, 45).report.verdict,
        CardVerdict::Genuine
    );
}

#[test]
fn bac_reads_the_card_and_its_thumbprints() {
    let mut fixture = fixture(5);
    let mut config = gate_config(&fixture);
    let key_material = fixture.files.personal_data.mrz_key_material().unwrap();
    config.access_key = CardAccessKey::Mrz(key_material);
    let read = drive(
        CardReader::new(config, seed_stream(50)),
        &mut fixture.chip,
        &Link::contact(115_200),
    );
    assert_eq!(read.report.verdict, CardVerdict::Genuine);
    let templates = read.report.holder.unwrap().thumb_templates;
    assert_eq!(templates, Some(fixture.holder.thumb_templates.to_vec()));
}

#[test]
fn terminal_authentication_refused_leaves_a_genuine_card_without_dg3() {
    let mut fixture = fixture(6);
    let mut config = gate_config(&fixture);
    config.terminal = None;
    let without = read(config.clone(), &mut fixture.chip, 60).report;
    assert_eq!(
        (without.verdict, without.dg3_refused),
        (CardVerdict::Genuine, None)
    );
    assert_eq!(without.holder.unwrap().thumb_templates, None);
    let foreign = SpecimenPki::new(66).unwrap();
    config.terminal = Some(TerminalCredentials {
        chain: foreign.terminal_chain(),
        key: foreign.terminal_key.clone(),
    });
    let refused = read(config, &mut fixture.chip, 61).report;
    assert_eq!(refused.verdict, CardVerdict::Genuine);
    assert_eq!(refused.dg3_refused, Some(StatusWord::AUTHENTICATION_FAILED));
}

#[test]
fn link_faults_are_retried_or_make_the_card_unreadable() {
    let fixture = fixture(7);
    let mut lost = fixture.chip.clone();
    let always = LinkFaults {
        field_loss_probability: 1.0,
        ..LinkFaults::default()
    };
    lost.set_link_faults(always, seed_stream(70));
    let report = read(gate_config(&fixture), &mut lost, 71).report;
    assert!(
        matches!(report.verdict, CardVerdict::Unreadable { .. }),
        "{:?}",
        report.verdict
    );
    assert_eq!(report.attempts, CardReadConfig::DEFAULT_ATTEMPTS_MAX);

    let mut colliding = fixture.chip.clone();
    let sometimes = LinkFaults {
        collision_probability: 0.04,
        ..LinkFaults::default()
    };
    colliding.set_link_faults(sometimes, seed_stream(72));
    let mut config = gate_config(&fixture);
    config.attempts_max = 10;
    let report = read(config, &mut colliding, 73).report;
    assert_eq!(report.verdict, CardVerdict::Genuine);
    assert!(
        report.attempts > 1,
        "no collision happened: pick another seed"
    );
}

#[test]
fn worn_contacts_and_slow_chips_cost_time_not_verdicts() {
    let fixture = fixture(8);
    let link = Link::contact(115_200);
    let clean = drive(
        CardReader::new(gate_config(&fixture), seed_stream(80)),
        &mut fixture.chip.clone(),
        &link,
    );
    let mut worn = fixture.chip.clone();
    let faults = LinkFaults {
        contact_error_probability: 0.2,
        extra_processing_time: SimDuration::from_millis(40),
        ..LinkFaults::default()
    };
    worn.set_link_faults(faults, seed_stream(81));
    let mut config = gate_config(&fixture);
    config.attempts_max = 10;
    let slow = drive(CardReader::new(config, seed_stream(80)), &mut worn, &link);
    assert_eq!(clean.report.verdict, CardVerdict::Genuine);
    assert_eq!(slow.report.verdict, CardVerdict::Genuine);
    let extra = SimDuration::from_millis(40).saturating_mul(u64::from(clean.report.commands_sent));
    assert!(
        slow.duration > clean.duration + extra,
        "{} vs {}",
        slow.duration,
        clean.duration
    );
}

#[test]
fn a_replayed_protected_command_is_refused() {
    let mut fixture = fixture(9);
    let read = read(gate_config(&fixture), &mut fixture.chip, 90);
    assert_eq!(read.report.verdict, CardVerdict::Genuine);
    // The chip is still in the read's session: the last protected command, sent again.
    let last = read.commands.last().unwrap();
    assert_eq!(last[0] & 0x0C, 0x0C);
    let replay = fixture
        .chip
        .transmit(Interface::Contactless, last)
        .response
        .unwrap();
    let replay = ResponseApdu::parse(&replay).unwrap();
    assert_eq!(
        replay.status,
        StatusWord::SECURE_MESSAGING_DATA_OBJECTS_INCORRECT
    );
    assert!(replay.data.is_empty());
}

#[test]
fn the_same_seeds_give_the_same_transcript() {
    let fixture = fixture(10);
    let first = read(gate_config(&fixture), &mut fixture.chip.clone(), 100);
    let second = read(gate_config(&fixture), &mut fixture.chip.clone(), 100);
    assert_eq!(first.commands, second.commands);
    assert_eq!(first.duration, second.duration);
    let other = read(gate_config(&fixture), &mut fixture.chip.clone(), 101);
    assert_ne!(first.commands, other.commands);
}

#[test]
fn a_contactless_gate_read_is_several_times_faster_than_a_contact_one() {
    let fixture = fixture(11);
    let config = gate_config(&fixture);
    let contactless = drive(
        CardReader::new(config.clone(), seed_stream(110)),
        &mut fixture.chip.clone(),
        &contactless(),
    );
    let contact = drive(
        CardReader::new(config, seed_stream(110)),
        &mut fixture.chip.clone(),
        &Link::contact(9_600),
    );
    assert_eq!(contactless.report.verdict, CardVerdict::Genuine);
    assert_eq!(contact.report.verdict, CardVerdict::Genuine);
    let bytes: usize = fixture
        .files
        .files
        .iter()
        .filter(|(file, _)| *file != ElementaryFile::Dg2)
        .map(|(_, content)| content.len())
        .sum();
    assert!(bytes > 1_500, "{bytes} bytes read");
    let contactless_seconds = contactless.duration.as_secs_f64();
    let contact_seconds = contact.duration.as_secs_f64();
    assert!(
        (0.5..2.0).contains(&contactless_seconds),
        "contactless {contactless_seconds} s"
    );
    assert!(
        (3.0..12.0).contains(&contact_seconds),
        "contact {contact_seconds} s"
    );
    assert!(lds::decode_dg1(fixture.files.get(ElementaryFile::Dg1).unwrap()).is_ok());
}
