//! Document Signer rollover at `full` fidelity: a run whose registrations straddle a rollover
//! issues cards signed by both Document Signers, every one verifies up to the CSCA (the
//! invariant-6 checker saw each), and the collection kiosks, trusting the CSCA only, read
//! and hand over the cards of both.

mod common;

use hkic_reports::{NamedCount, Report, Status};
use hkic_world::run;
use hkic_world::scenario::{Fidelity, load_scenario};

/// A small centre-fortnight (registrations from 21 Jan to 2 Feb 2019) with a Document Signer
/// rollover every 63 days, so the second signer takes over on 28 Jan 2019.
fn across_a_rollover() -> Report {
    let overrides = [
        "booking.requests=150",
        "residents.walk_ins_per_day=2",
        "production.document_signer_rollover=63d",
    ]
    .map(String::from);
    let mut request = common::request(1, "none", &[]);
    request.scenario = load_scenario(Some("centre-fortnight"), &overrides).expect("embedded");
    request.fidelity = Some(Fidelity::Full);
    run(&request, None).expect("valid").report
}

fn count_of<'a>(counts: &'a [NamedCount], name: &str) -> Option<&'a NamedCount> {
    counts.iter().find(|count| count.name == name)
}

#[test]
fn cards_of_both_document_signers_are_issued_verified_and_collected() {
    let report = across_a_rollover();
    assert_eq!(
        report.outcome.status,
        Status::Ok,
        "{:?}",
        report.outcome.violation
    );
    let cards = &report.cards;
    let signers: Vec<&str> = cards.signed_by.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        signers,
        [
            "CN=HKSAR DS 1,O=Immigration Department,C=HK",
            "CN=HKSAR DS 2019-01-28,O=Immigration Department,C=HK",
        ]
    );
    assert!(
        cards.signed_by.iter().all(|signer| signer.count > 20),
        "{cards:?}"
    );
    let issued: u64 = cards.signed_by.iter().map(|signer| signer.count).sum();
    assert_eq!(issued, cards.produced, "each verified card checked once");
    let mut checker = report.invariants.iter();
    let checker = checker.find(|invariant| invariant.name == "issued-card-sod-verifies");
    assert_eq!(checker.map(|checker| checker.checks), Some(issued));
    // Every accepted application ends in a collected card (or a visit after the period),
    // whichever signer signed it: no kiosk refused a card.
    let accepted = report.registration.accepted;
    assert_eq!(cards.collected + cards.collections_after_period, accepted);
    assert_eq!(cards.handed_to_officers, 0, "{cards:?}");
    for refusal in ["card_not_genuine", "card_unreadable", "dg3_not_read"] {
        assert!(
            count_of(&cards.not_collected, refusal).is_none(),
            "{cards:?}"
        );
    }
    assert!(cards.collected > accepted * 9 / 10, "{cards:?}");
}
