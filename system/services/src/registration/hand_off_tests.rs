//! The hand-off of accepted applications to production.

use super::test_support::*;
use super::*;
use hkic_base::SimDuration;

use crate::messages::CardOrder;

/// The card orders sent to production so far, by application.
fn orders_sent(harness: &Harness) -> Vec<CardOrder> {
    let orders = harness.outgoing.iter().map(|(to, message)| match message {
        Message::ProduceCardRequest { order } if *to == PRODUCTION => *order,
        other => panic!("{to:?} {other:?}"),
    });
    orders.collect()
}

fn acknowledge(harness: &mut Harness, now: SimTime, application: ApplicationId) {
    let message = Message::ProduceCardReply { application };
    let from = PRODUCTION;
    harness.input(now, Input::Message { from, message });
    harness.settle(now);
}

/// Delivers every wake-up the service asks for up to `until`; returns the last time.
fn wake_until(harness: &mut Harness, until: SimTime) -> SimTime {
    let mut now = NOW;
    for _ in 0..10_000 {
        match harness.wake {
            Some(at) if at <= until => now = at,
            _ => return now,
        }
        harness.wake_if_due(now);
        harness.settle(now);
    }
    panic!("too many wake-ups before {until}");
}

#[test]
fn an_acceptance_sends_the_card_order_once_durable() {
    let mut harness = Harness::new(config());
    let application = open_new(&mut harness, 1, 11);
    harness.send(NOW, complete(1, application, 9));
    assert!(harness.outgoing.is_empty());
    harness.step_disk(NOW);
    harness.step_disk(NOW);
    assert!(harness.outgoing.is_empty(), "not before the read-back");
    harness.settle(NOW);
    let acknowledgement = match completed(harness.replies.last().unwrap().clone()) {
        CompleteApplicationOutcome::Accepted { acknowledgement } => acknowledgement,
        other => panic!("{other:?}"),
    };
    let expected = CardOrder {
        application,
        resident: ResidentId(1),
        centre: CentreId(2),
        acknowledgement,
        old_card: CardId(101),
        thumbs: BiometricDigest(11),
        photo: BiometricDigest(9),
    };
    assert_eq!(orders_sent(&harness), [expected]);
    assert_eq!(harness.service.awaiting_production(), 1);
    // A repeated completion tells the same slip and orders nothing more.
    harness.request(NOW, complete(1, application, 9));
    assert_eq!(orders_sent(&harness).len(), 1);
}

#[test]
fn the_order_is_retried_until_production_acknowledges_it_and_never_after() {
    let mut harness = Harness::new(config());
    let application = open_new(&mut harness, 1, 11);
    accept(&mut harness, 1, application);
    // Well past the policy's 30 s give-up time, the order is still being sent.
    let now = wake_until(&mut harness, NOW + SimDuration::from_minutes(10));
    let attempts = orders_sent(&harness).len();
    assert!(attempts > 5, "{attempts}");
    acknowledge(&mut harness, now, application);
    assert_eq!(harness.service.awaiting_production(), 0);
    let view = harness.service.application(application).unwrap();
    assert!(view.handed_to_production);
    wake_until(&mut harness, now + SimDuration::from_hours(1));
    harness.restart_at(now + SimDuration::from_hours(2));
    assert_eq!(
        orders_sent(&harness).len(),
        attempts,
        "the acknowledgement is durable"
    );
    let view = harness.service.application(application).unwrap();
    assert!(view.handed_to_production);
}

#[test]
fn a_crash_between_acceptance_and_hand_off_still_sends_the_order() {
    let mut harness = Harness::new(config());
    let application = open_new(&mut harness, 1, 11);
    harness.send(NOW, complete(1, application, 9));
    // The acceptance reaches the media, but the service crashes before reading it back:
    // nobody was told, no order left and the `Accepted` event is lost.
    harness.step_disk(NOW);
    harness.step_disk(NOW);
    harness.restart_at(NOW);
    let view = harness.service.application(application).unwrap();
    assert_eq!(view.state, ApplicationState::Accepted);
    assert!(
        !harness
            .events
            .iter()
            .any(|event| matches!(event, RegistrationEvent::Accepted { .. }))
    );
    let sent = orders_sent(&harness);
    assert_eq!(sent.len(), 1);
    assert_eq!(Some(sent[0].acknowledgement), view.acknowledgement);
}

#[test]
fn an_order_lost_on_the_way_is_sent_again_after_a_restart() {
    let mut harness = Harness::new(config());
    let first = open_new(&mut harness, 1, 11);
    let second = open_new(&mut harness, 2, 12);
    accept(&mut harness, 1, first);
    accept(&mut harness, 2, second);
    acknowledge(&mut harness, NOW, second);
    harness.outgoing.clear();
    harness.restart_at(NOW);
    let sent: Vec<ApplicationId> = orders_sent(&harness)
        .iter()
        .map(|order| order.application)
        .collect();
    assert_eq!(sent, [first]);
}

#[test]
fn repeated_and_stray_acknowledgements_change_nothing() {
    let mut harness = Harness::new(config());
    let open_only = open_new(&mut harness, 1, 11);
    let accepted = open_new(&mut harness, 2, 12);
    accept(&mut harness, 2, accepted);
    let media = harness.disk.media.len();
    acknowledge(&mut harness, NOW, open_only);
    acknowledge(&mut harness, NOW, ApplicationId(9));
    assert_eq!(harness.disk.media.len(), media);
    acknowledge(&mut harness, NOW, accepted);
    let media = harness.disk.media.len();
    acknowledge(&mut harness, NOW, accepted);
    assert_eq!(harness.disk.media.len(), media);
    assert!(
        harness
            .replies
            .iter()
            .all(|reply| !matches!(reply, Message::ProduceCardReply { .. }))
    );
}

#[test]
fn recovery_refuses_an_acknowledgement_of_an_order_never_made() {
    let mut harness = Harness::new(config());
    open_new(&mut harness, 1, 11);
    let mut journal = crate::journal::Journal::recover(JOURNAL_FILE, &harness.disk.media).0;
    journal.append(
        &Record::HandedOff {
            application: ApplicationId(0),
        }
        .encode(),
    );
    let mut disk = crate::test_disk::TestDisk::with_media(harness.disk.media.clone());
    crate::test_disk::settle_journal(&mut disk, &mut journal);
    let error = RegistrationService::recover(config(), &disk.media).unwrap_err();
    assert_eq!(
        error.to_string(),
        "registration journal record 1 contradicts the records before it: \
         a hand-off names no accepted application awaiting production"
    );
}
