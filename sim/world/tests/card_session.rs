//! Full-fidelity card reads inside the simulator: the gate's reader procedure against an
//! emulated chip on the kernel's virtual time, no sockets. The read completes as an event
//! exactly the link's duration after it starts, with the verdict the card deserves.

use hkic_base::{SimDuration, SimTime, seed_stream};
use hkic_chip::specimen::{SpecimenPki, specimen_holder};
use hkic_chip::{ContactlessBitRate, Forgery, Link, NewGenerationChip, forge, personalise};
use hkic_kernel::{Fields, Flow, Kernel, Limits, Trace, TraceRecord};
use hkic_terminals::card_read::{CardAccessKey, CardReadConfig, CardReader, CardVerdict};
use hkic_world::card_session::{CardSession, read_card};

struct ReadDone(CardVerdict);

impl TraceRecord for ReadDone {
    fn kind(&self) -> &'static str {
        "read_done"
    }
    fn write_fields(&self, fields: &mut Fields<'_>) {
        fields.bool("genuine", self.0.is_genuine());
    }
}

fn card(pki: &SpecimenPki) -> (NewGenerationChip, String) {
    let holder = specimen_holder(3, 4_000);
    let (chip, _) = personalise(&holder, pki.issuer(), seed_stream(4)).expect("personalises");
    (chip, holder.card_access_number)
}

fn gate_reader(pki: &SpecimenPki, can: &str) -> CardReader {
    let mut config = CardReadConfig::new(
        CardAccessKey::Can(can.to_string()),
        vec![pki.csca.certificate().clone()],
    );
    config.terminal = Some(hkic_terminals::card_read::TerminalCredentials {
        chain: pki.terminal_chain(),
        key: pki.terminal_key.clone(),
    });
    CardReader::new(config, seed_stream(5))
}

/// Starts a read at `start` on the kernel and returns when and how it completed.
fn read_on_virtual_time(
    chip: &mut NewGenerationChip,
    reader: CardReader,
    link: &Link,
) -> (SimTime, CardSession) {
    let start = SimTime::EPOCH + SimDuration::from_secs(10);
    let session = read_card(reader, chip, link).expect("the read finishes");
    let mut kernel = Kernel::new(SimTime::EPOCH, Trace::new());
    kernel.schedule(
        start + session.duration,
        ReadDone(session.report.verdict.clone()),
    );
    let mut completed = None;
    kernel.run(Limits::default(), |_, now, ReadDone(verdict)| {
        completed = Some((now, verdict));
        Flow::Continue
    });
    let (at, verdict) = completed.expect("the read completes");
    assert_eq!(verdict, session.report.verdict);
    (at, session)
}

#[test]
fn a_gate_read_runs_on_virtual_time_with_the_link_deciding_how_long() {
    let pki = SpecimenPki::new(1).expect("the PKI builds");
    let (mut chip, can) = card(&pki);
    let contactless = Link::contactless(ContactlessBitRate::Kbps424);
    let (done, session) = read_on_virtual_time(&mut chip, gate_reader(&pki, &can), &contactless);
    assert_eq!(session.report.verdict, CardVerdict::Genuine);
    assert!(
        session
            .report
            .holder
            .as_ref()
            .is_some_and(|holder| holder.thumb_templates.is_some()),
        "DG3 read"
    );
    assert_eq!(
        done,
        SimTime::EPOCH + SimDuration::from_secs(10) + session.duration
    );
    let seconds = session.duration.as_secs_f64();
    assert!(
        (0.3..2.0).contains(&seconds),
        "a contactless gate read takes about a second: {seconds}"
    );
    let (_, contact) =
        read_on_virtual_time(&mut chip, gate_reader(&pki, &can), &Link::contact(9_600));
    assert_eq!(
        contact.commands, session.commands,
        "the same procedure on either interface"
    );
    assert!(
        contact.duration > session.duration * 3,
        "{} vs {}",
        contact.duration,
        session.duration
    );
}

#[test]
fn a_cloned_card_is_caught_inside_the_simulator() {
    let pki = SpecimenPki::new(1).expect("the PKI builds");
    let (chip, can) = card(&pki);
    let mut clone = forge(&chip, Forgery::Clone, seed_stream(6)).expect("forges");
    let link = Link::contactless(ContactlessBitRate::Kbps424);
    let (_, session) = read_on_virtual_time(&mut clone, gate_reader(&pki, &can), &link);
    assert_eq!(session.report.verdict, CardVerdict::Cloned);
}
