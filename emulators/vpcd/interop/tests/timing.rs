//! How fast a real reader reads our card through pcscd and vpcd: a full read over PACE of a
//! card with a 20 KB portrait (DG2), with the same reader procedure the simulated gates use,
//! must take under half a second (the TCP_QUICKACK re-arm is what makes it possible; without
//! it each APDU waits about 45 ms and this read would take several seconds).

use std::io::Write;
use std::num::NonZeroU32;
use std::time::Duration;

use hkic_base::seed_stream;
use hkic_chip::specimen::SpecimenPki;
use hkic_interop::reader;
use hkic_interop::{BackgroundBridge, SpecimenCard};
use hkic_terminals::card_read::{
    CardAccessKey, CardReadConfig, CardReadInput, CardReadOutput, CardReadReport, CardReader,
    CardVerdict,
};
use hkic_vpcd::{BridgeConfig, BridgeEvent, DEFAULT_ADDRESS};

const WAIT_LIMIT: Duration = Duration::from_secs(10);
const SEED: u64 = 42;
const PORTRAIT_BYTES: usize = 20_000;
const READ_LIMIT: Duration = Duration::from_millis(500);

fn drive(card: &pcsc::Card, mut reader: CardReader) -> CardReadReport {
    let mut buffer = vec![0u8; 65_538];
    for _ in 0..10_000 {
        let input = match reader
            .poll_output()
            .expect("the reader always has an output")
        {
            CardReadOutput::Finished(report) => return *report,
            // The card is connected and powered: activation is a no-op here.
            CardReadOutput::Activate => CardReadInput::Activated,
            CardReadOutput::Transmit(command) => match card.transmit(&command, &mut buffer) {
                Ok(response) => CardReadInput::Response(response.to_vec()),
                Err(_) => CardReadInput::TransmissionFailed,
            },
        };
        reader.handle_input(input);
    }
    panic!("the read did not finish");
}

#[test]
#[allow(clippy::disallowed_types)] // Real time is what this test measures.
fn a_full_pace_read_of_a_card_with_a_20_kb_portrait_takes_under_half_a_second() {
    let context = reader::establish().unwrap_or_else(|error| panic!("{error}"));
    reader::wait_for_empty_reader(&context, WAIT_LIMIT).unwrap_or_else(|error| panic!("{error}"));
    let (specimen, chip) = SpecimenCard::personalise_with_portrait(SEED, PORTRAIT_BYTES)
        .unwrap_or_else(|error| panic!("{error}"));
    let config = BridgeConfig {
        connect_failures_max: NonZeroU32::new(20),
        ..BridgeConfig::new(DEFAULT_ADDRESS)
    };
    let mut bridge =
        BackgroundBridge::start(chip, config).unwrap_or_else(|error| panic!("{error}"));
    bridge
        .wait_for("a connection to vpcd", WAIT_LIMIT, |event| {
            matches!(event, BridgeEvent::Connected { .. })
        })
        .unwrap_or_else(|error| panic!("{error}"));
    reader::wait_for_card(&context, WAIT_LIMIT).unwrap_or_else(|error| panic!("{error}"));
    let card = reader::connect(&context).unwrap_or_else(|error| panic!("{error}"));
    let pki = SpecimenPki::new(SEED).expect("the specimen PKI builds");
    let can = specimen.holder.card_access_number.clone();
    let mut config = CardReadConfig::new(
        CardAccessKey::Can(can),
        vec![pki.csca.certificate().clone()],
    );
    config.read_facial_image = true;
    let started = std::time::Instant::now();
    let report = drive(&card, CardReader::new(config, seed_stream(7)));
    let elapsed = started.elapsed();
    let _ = writeln!(
        std::io::stderr(),
        "full PACE read, {PORTRAIT_BYTES}-byte portrait: {elapsed:?}, {} commands",
        report.commands_sent
    );
    assert_eq!(report.verdict, CardVerdict::Genuine);
    let portrait = report
        .holder
        .as_ref()
        .and_then(|holder| holder.facial_image.as_ref())
        .map(Vec::len);
    assert_eq!(
        portrait,
        Some(specimen.holder.facial_image.len()),
        "the whole portrait was read"
    );
    assert!(
        elapsed < READ_LIMIT,
        "a full PACE read with a {PORTRAIT_BYTES}-byte portrait took {elapsed:?} ({} commands)",
        report.commands_sent
    );
    drop(card);
    bridge.stop().unwrap_or_else(|error| panic!("{error}"));
}
