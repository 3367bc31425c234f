use super::test_support::*;
use super::*;
use crate::test_disk::media_of;

/// Orders `numbers` at `now` and lets everything settle.
fn ordered(harness: &mut Harness, now: SimTime, numbers: &[u64]) {
    for &number in numbers {
        let reply = harness.request(now, produce(number));
        let application = ApplicationId(number);
        assert_eq!(reply, Message::ProduceCardReply { application });
    }
}

/// Delivers the wake-up if due at `now`, then lets the disk settle.
fn woken(harness: &mut Harness, now: SimTime) -> bool {
    let woke = harness.wake_if_due(now);
    harness.settle(now);
    woke
}

#[test]
fn an_order_is_acknowledged_once_durable_and_a_repeat_makes_no_second_card() {
    let mut harness = Harness::new(config());
    let now = at("2024-03-05", "09:00");
    harness.send(now, produce(1));
    assert!(harness.replies.is_empty() && harness.events.is_empty());
    harness.settle(now);
    let application = ApplicationId(1);
    assert_eq!(harness.replies, [Message::ProduceCardReply { application }]);
    let received = ProductionEvent::OrderReceived {
        application,
        resident: ResidentId(1_001),
        centre: CentreId(2),
        batch_day: date("2024-03-05"),
    };
    assert_eq!(harness.events, [received]);
    let media = harness.disk.media.len();
    ordered(&mut harness, now, &[1]);
    assert_eq!((harness.events.len(), harness.disk.media.len()), (1, media));
    assert!(woken(&mut harness, at("2024-03-05", "17:00")));
    assert_eq!(personalise_requests(&harness), [(FIRST_CARD, application)]);
    assert_eq!(harness.service.counts().orders, 1);
}

#[test]
fn orders_before_the_cut_off_join_that_working_days_batch_and_later_ones_the_next() {
    let service = ProductionService::new(config());
    let batch = |day, time| service.batch_day_for(at(day, time));
    assert_eq!(batch("2024-03-05", "16:59"), date("2024-03-05"));
    assert_eq!(batch("2024-03-05", "17:00"), date("2024-03-06"));
    // Friday evening, Saturday and Sunday: Monday's batch.
    assert_eq!(batch("2024-03-08", "18:00"), date("2024-03-11"));
    assert_eq!(batch("2024-03-09", "10:00"), date("2024-03-11"));
    // Maundy Thursday after the cut-off: Easter holidays, then Tuesday.
    assert_eq!(batch("2024-03-28", "17:30"), date("2024-04-02"));
    assert_eq!(batch("2024-03-29", "09:00"), date("2024-04-02"));
}

#[test]
fn the_lead_time_counts_working_days_after_the_batch_day() {
    let service = ProductionService::new(config());
    let due = |day| service.dispatch_due(date(day));
    assert_eq!(due("2024-03-05"), at("2024-03-19", "17:00"));
    // Across Easter: Good Friday, Saturday and Easter Monday are not working days.
    assert_eq!(due("2024-03-21"), at("2024-04-08", "17:00"));
}

#[test]
fn at_the_cut_off_each_order_gets_a_fresh_card_sent_to_the_line_once_durable() {
    let mut harness = Harness::new(config());
    ordered(&mut harness, at("2024-03-05", "10:00"), &[1, 2]);
    assert_eq!(harness.wake, Some(at("2024-03-05", "17:00")));
    assert!(!woken(&mut harness, at("2024-03-05", "16:59")));
    assert!(harness.wake_if_due(at("2024-03-05", "17:00")));
    assert!(
        harness.outgoing.is_empty(),
        "nothing before the numbers are durable"
    );
    harness.settle(at("2024-03-05", "17:00"));
    let second = CardId(FIRST_CARD.0 + 1);
    assert_eq!(
        personalise_requests(&harness),
        [(FIRST_CARD, ApplicationId(1)), (second, ApplicationId(2))]
    );
    let allocated = ProductionEvent::CardAllocated {
        application: ApplicationId(2),
        card: second,
    };
    assert_eq!(harness.events.last(), Some(&allocated));
    // An order at the cut-off joins the next working day's batch.
    ordered(&mut harness, at("2024-03-05", "17:00"), &[3]);
    let view = harness.service.order(ApplicationId(3)).unwrap();
    assert_eq!(
        (view.state, view.batch_day),
        (OrderState::Queued, date("2024-03-06"))
    );
    // Once the line has answered, the next wake-up is Wednesday's cut-off, for the late order.
    let now = at("2024-03-05", "17:10");
    for (card, application) in personalise_requests(&harness) {
        settled(&mut harness, now, line_reply(card, application, true));
    }
    let wednesday = at("2024-03-06", "17:00");
    assert_eq!(harness.wake, Some(wednesday));
    woken(&mut harness, wednesday);
    let third = CardId(FIRST_CARD.0 + 2);
    assert_eq!(
        harness.service.order(ApplicationId(3)).unwrap().card,
        Some(third)
    );
}

/// Orders `numbers` on Tuesday 5 March 2024 at 10:00 and brings their cards to the line.
fn all_at_the_line(harness: &mut Harness, numbers: &[u64]) -> Vec<CardId> {
    ordered(harness, at("2024-03-05", "10:00"), numbers);
    woken(harness, at("2024-03-05", "17:00"));
    let card = |&number| harness.service.order(ApplicationId(number)).unwrap().card;
    numbers.iter().map(card).map(Option::unwrap).collect()
}

fn at_the_line(harness: &mut Harness, number: u64) -> CardId {
    all_at_the_line(harness, &[number])[0]
}

#[test]
fn a_verified_card_is_dispatched_at_its_due_time_and_not_before() {
    let mut harness = Harness::new(config());
    let card = at_the_line(&mut harness, 1);
    let application = ApplicationId(1);
    settled(
        &mut harness,
        at("2024-03-05", "17:05"),
        line_reply(card, application, true),
    );
    let due = at("2024-03-19", "17:00");
    assert_eq!(harness.wake, Some(due));
    assert!(!woken(&mut harness, at("2024-03-19", "16:59")));
    assert!(dispatch_requests(&harness).is_empty());
    assert!(woken(&mut harness, due));
    assert_eq!(dispatch_requests(&harness), [(card, application)]);
    settled(&mut harness, due, registry_reply(card));
    let centre = CentreId(2);
    let dispatched = ProductionEvent::Dispatched {
        application,
        card,
        centre,
    };
    assert_eq!(harness.events.last(), Some(&dispatched));
    let counts = harness.service.counts();
    assert_eq!(
        (
            counts.backlog,
            counts.cards_verified,
            counts.cards_dispatched
        ),
        (0, 1, 1)
    );
    assert_eq!(
        harness.service.order(application).unwrap().state,
        OrderState::Dispatched
    );
}

#[test]
fn a_failed_card_is_remade_under_a_new_number_and_keeps_its_due_time() {
    let mut harness = Harness::new(config());
    let card = at_the_line(&mut harness, 1);
    let application = ApplicationId(1);
    let now = at("2024-03-05", "17:05");
    settled(&mut harness, now, line_reply(card, application, false));
    let remade = CardId(card.0 + 1);
    let [.., failed, allocated] = harness.events[..] else {
        panic!("{:?}", harness.events)
    };
    let verified = false;
    let expected = ProductionEvent::Personalised {
        application,
        card,
        verified,
    };
    assert_eq!(failed, expected);
    let expected = ProductionEvent::CardAllocated {
        application,
        card: remade,
    };
    assert_eq!(allocated, expected);
    assert_eq!(
        personalise_requests(&harness).last(),
        Some(&(remade, application))
    );
    // A late "verified" for the destroyed card changes nothing.
    let events = harness.events.len();
    settled(&mut harness, now, line_reply(card, application, true));
    assert_eq!(harness.events.len(), events);
    settled(&mut harness, now, line_reply(remade, application, true));
    assert!(woken(&mut harness, at("2024-03-19", "17:00")));
    assert_eq!(dispatch_requests(&harness), [(remade, application)]);
    let view = harness.service.order(application).unwrap();
    assert_eq!((view.failures, view.card), (1, Some(remade)));
    let counts = harness.service.counts();
    assert_eq!((counts.cards_allocated, counts.cards_remade), (2, 1));
}

#[test]
fn requests_to_the_line_are_retried_long_after_the_policy_would_give_up() {
    let mut harness = Harness::new(config());
    let card = at_the_line(&mut harness, 1);
    let mut now = at("2024-03-05", "17:00");
    let until = at("2024-03-05", "20:00");
    for _ in 0..1_000 {
        now = harness.wake.expect("a retry is due");
        if now > until {
            break;
        }
        woken(&mut harness, now);
    }
    let attempts = personalise_requests(&harness).len();
    assert!(attempts > 10, "{attempts}");
    assert!(
        personalise_requests(&harness)
            .iter()
            .all(|&request| request == (card, ApplicationId(1)))
    );
    settled(&mut harness, now, line_reply(card, ApplicationId(1), true));
    woken(&mut harness, now + hkic_base::SimDuration::from_hours(1));
    assert_eq!(personalise_requests(&harness).len(), attempts);
}

#[test]
fn stray_and_repeated_replies_change_nothing() {
    let mut harness = Harness::new(config());
    let card = at_the_line(&mut harness, 1);
    let now = at("2024-03-05", "17:05");
    let (events, media) = (harness.events.len(), harness.disk.media.len());
    settled(&mut harness, now, line_reply(card, ApplicationId(2), true));
    settled(
        &mut harness,
        now,
        line_reply(CardId(3), ApplicationId(1), true),
    );
    settled(&mut harness, now, registry_reply(card));
    settled(&mut harness, now, registry_reply(CardId(3)));
    let stray = Message::OpenApplicationRequest {
        opening: crate::messages::ApplicationOpening {
            resident: ResidentId(1),
            centre: CentreId(0),
            old_card: CardId(1),
            eform: crate::messages::EFormReference(1),
            identity: crate::messages::IdentityEvidence::KioskThumbs,
            thumbs: crate::messages::BiometricDigest(1),
        },
    };
    harness.send(now, stray);
    harness.settle(now);
    assert_eq!(
        (harness.events.len(), harness.disk.media.len()),
        (events, media)
    );
    assert!(harness.replies.len() == 1 && harness.service.counts().cards_verified == 0);
    settled(&mut harness, now, line_reply(card, ApplicationId(1), true));
    settled(&mut harness, now, line_reply(card, ApplicationId(1), true));
    assert_eq!(harness.service.counts().cards_verified, 1);
}

#[test]
fn after_a_crash_everything_in_flight_resumes() {
    let mut harness = Harness::new(config());
    let tuesday = at("2024-03-05", "17:05");
    // 1 stays at the line; 2 is dispatched; 3 is verified and its dispatch under way.
    let cards = all_at_the_line(&mut harness, &[1, 2, 3]);
    for number in [2, 3] {
        let card = cards[number as usize - 1];
        settled(
            &mut harness,
            tuesday,
            line_reply(card, ApplicationId(number), true),
        );
    }
    woken(&mut harness, at("2024-03-19", "17:00"));
    // 4 arrives after the cut-off of 19 March: it waits for the next batch.
    ordered(&mut harness, at("2024-03-19", "17:30"), &[4]);
    settled(
        &mut harness,
        at("2024-03-19", "17:31"),
        registry_reply(cards[1]),
    );
    let personalising = personalise_requests(&harness).len();
    let dispatching = dispatch_requests(&harness).len();
    harness.restart_at(at("2024-03-19", "18:00"));
    let resent = &personalise_requests(&harness)[personalising..];
    assert_eq!(resent, [(cards[0], ApplicationId(1))]);
    let dispatch = &dispatch_requests(&harness)[dispatching..];
    assert_eq!(dispatch, [(cards[2], ApplicationId(3))]);
    assert!(matches!(
        harness.events.last(),
        Some(ProductionEvent::Recovered { .. })
    ));
    // Number 4 is allocated at Wednesday's cut-off, above every number given before.
    let mut now = at("2024-03-19", "18:00");
    while now < at("2024-03-20", "17:00") {
        now = harness.wake.expect("a wake-up");
        woken(&mut harness, now);
    }
    let card = harness.service.order(ApplicationId(4)).unwrap().card;
    assert_eq!(card, Some(CardId(FIRST_CARD.0 + 3)));
    assert_eq!(harness.service.counts().backlog, 3);
}

#[test]
fn a_card_number_is_never_sent_before_it_is_durable() {
    let mut harness = Harness::new(config());
    ordered(&mut harness, at("2024-03-05", "10:00"), &[1, 2]);
    let cut_off = at("2024-03-05", "17:00");
    assert!(harness.wake_if_due(cut_off));
    harness.step_disk(cut_off);
    harness.crash();
    assert!(personalise_requests(&harness).is_empty());
    // The numbers were never told, so the next incarnation may give them again.
    harness.input(cut_off, Input::Wake);
    harness.settle(cut_off);
    assert_eq!(personalise_requests(&harness).len(), 2);
    assert_eq!(
        harness.service.application_of(FIRST_CARD),
        Some(ApplicationId(1))
    );
}

#[test]
fn a_verdict_lost_in_a_crash_is_asked_for_again() {
    let mut harness = Harness::new(config());
    let card = at_the_line(&mut harness, 1);
    let now = at("2024-03-05", "17:05");
    harness.input(now, line_reply(card, ApplicationId(1), true));
    harness.step_disk(now);
    let sent = personalise_requests(&harness).len();
    harness.restart_at(now);
    assert_eq!(personalise_requests(&harness).len(), sent + 1);
    assert_eq!(
        harness.service.order(ApplicationId(1)).unwrap().state,
        OrderState::Personalising
    );
}

#[test]
fn recovery_refuses_a_record_it_cannot_use_and_says_which() {
    let application = ApplicationId(1);
    let allocated = Record::CardAllocated {
        application,
        card: FIRST_CARD,
    };
    let error = ProductionService::recover(config(), &media_of(&[&allocated.encode()]));
    assert_eq!(
        error.unwrap_err().to_string(),
        "production journal record 0 contradicts the records before it: \
         a record names an application never ordered"
    );
    let received = Record::OrderReceived {
        order: order(1),
        batch_day: date("2024-03-05"),
    };
    let media = media_of(&[&received.encode(), &[0xFF]]);
    let error = ProductionService::recover(config(), &media).unwrap_err();
    let expected = MalformedRecord::Undecodable {
        service: "production",
        index: 1,
        bytes: 1,
        tag: 0xFF,
    };
    assert_eq!(error, expected);
}
