use super::test_support::*;
use super::*;
use crate::messages::{EFormReference, IdentityEvidence};
use crate::test_disk::media_of;

#[test]
fn applications_are_numbered_in_order_and_a_repeated_opening_returns_the_same_one() {
    let mut harness = Harness::new(config());
    assert_eq!(open_new(&mut harness, 1, 11), ApplicationId(0));
    assert_eq!(open_new(&mut harness, 2, 12), ApplicationId(1));
    let (events, media) = (harness.events.len(), harness.disk.media.len());
    // Another centre, card and capture: still the same application, and nothing journaled.
    let again = harness.request(NOW, open(1, 555, 99));
    assert_eq!(
        opened(again),
        OpenApplicationOutcome::Opened {
            application: ApplicationId(0)
        }
    );
    assert_eq!(
        (harness.events.len(), harness.disk.media.len()),
        (events, media)
    );
    let view = harness.service.application(ApplicationId(0)).unwrap();
    assert_eq!(
        (view.old_card, view.thumbs),
        (CardId(101), BiometricDigest(11))
    );
    assert_eq!(harness.service.application_count(), 2);
}

#[test]
fn an_old_card_opens_only_one_residents_application() {
    let mut harness = Harness::new(config());
    open_new(&mut harness, 1, 11);
    let refused = opened(harness.request(NOW, open(2, 101, 12)));
    let reason = OpenRefusal::OldCardNotCurrent;
    assert_eq!(refused, OpenApplicationOutcome::Refused { reason });
    assert_eq!(harness.service.application_count(), 1);
    assert!(matches!(
        opened(harness.request(NOW, open(1, 101, 11))),
        OpenApplicationOutcome::Opened { .. }
    ));
}

#[test]
fn completion_accepts_once_and_every_repeat_tells_the_same_acknowledgement() {
    let mut harness = Harness::new(config());
    let application = open_new(&mut harness, 1, 11);
    let acknowledgement = accept(&mut harness, 1, application);
    assert_ne!(acknowledgement, application.0, "not the application number");
    let events = harness.events.len();
    // A repeat with another photo changes nothing.
    let again = completed(harness.request(NOW, complete(1, application, 10)));
    let acknowledgement = AcknowledgementReference(acknowledgement);
    assert_eq!(
        again,
        CompleteApplicationOutcome::Accepted { acknowledgement }
    );
    assert_eq!(
        opened(harness.request(NOW, open(1, 101, 11))),
        OpenApplicationOutcome::AlreadyAccepted {
            application,
            acknowledgement
        }
    );
    assert_eq!(harness.events.len(), events);
    let view = harness.service.application(application).unwrap();
    assert_eq!(view.state, ApplicationState::Accepted);
    assert_eq!(view.photo, Some(BiometricDigest(9)));
    let found = harness
        .service
        .application_by_acknowledgement(acknowledgement);
    assert_eq!(found, Some(view));
    let [
        ..,
        RegistrationEvent::Accepted {
            photo, old_card, ..
        },
    ] = harness.events[..]
    else {
        panic!("{:?}", harness.events)
    };
    assert_eq!((photo, old_card), (BiometricDigest(9), CardId(101)));
}

#[test]
fn completing_an_application_not_open_for_the_resident_is_refused() {
    let mut harness = Harness::new(config());
    let application = open_new(&mut harness, 1, 11);
    let not_open = CompleteApplicationOutcome::NotOpen;
    assert_eq!(
        completed(harness.request(NOW, complete(2, application, 9))),
        not_open
    );
    assert_eq!(
        completed(harness.request(NOW, complete(1, ApplicationId(7), 9))),
        not_open
    );
    accept(&mut harness, 1, application);
    assert_eq!(
        completed(harness.request(NOW, complete(2, application, 9))),
        not_open,
        "nobody else learns the acknowledgement"
    );
}

#[test]
fn thumbs_enrolled_by_another_resident_hold_the_application() {
    let mut harness = Harness::new(config());
    let first = open_new(&mut harness, 1, 11);
    let second = open_new(&mut harness, 2, 11);
    // Both opened with the same thumbs: the first completion wins.
    accept(&mut harness, 1, first);
    let suspected = CompleteApplicationOutcome::DuplicateSuspected;
    assert_eq!(
        completed(harness.request(NOW, complete(2, second, 9))),
        suspected
    );
    let held = RegistrationEvent::DuplicateHeld {
        application: second,
        resident: ResidentId(2),
        enrolled_by: ResidentId(1),
    };
    assert_eq!(harness.events.last(), Some(&held));
    let events = harness.events.len();
    assert_eq!(
        completed(harness.request(NOW, complete(2, second, 9))),
        suspected
    );
    assert_eq!(
        opened(harness.request(NOW, open(2, 102, 12))),
        OpenApplicationOutcome::Opened {
            application: second
        }
    );
    assert_eq!(harness.events.len(), events);
    let view = harness.service.application(second).unwrap();
    assert_eq!(
        (view.state, view.acknowledgement),
        (ApplicationState::Held, None)
    );
}

#[test]
fn no_reply_leaves_before_its_record_is_durable() {
    let mut harness = Harness::new(config());
    harness.send(NOW, open(1, 101, 11));
    // A refusal and a repeat that arrive meanwhile wait too: they were decided on undurable
    // state.
    harness.send(NOW, open(2, 101, 12));
    harness.send(NOW, open(1, 101, 11));
    let mut steps = 0;
    while harness.step_disk(NOW) {
        steps += 1;
        assert!(harness.replies.is_empty() || harness.pending.is_empty());
        assert!(harness.events.is_empty() || harness.pending.is_empty());
    }
    // Append, sync, read back: only the read-back releases the replies, all of them.
    assert_eq!((steps, harness.replies.len()), (3, 3));
    assert!(matches!(
        harness.events[..],
        [RegistrationEvent::Opened { .. }]
    ));
}

#[test]
fn an_acceptance_lost_in_a_crash_was_never_told_and_is_decided_again() {
    let mut harness = Harness::new(config());
    let application = open_new(&mut harness, 1, 11);
    harness.send(NOW, complete(1, application, 9));
    harness.step_disk(NOW);
    harness.crash();
    assert!(harness.replies.len() == 1 && harness.pending.is_empty());
    let view = harness.service.application(application).unwrap();
    assert_eq!(view.state, ApplicationState::Open);
    let acknowledgement = accept(&mut harness, 1, application);
    let [
        RegistrationEvent::Opened { .. },
        ..,
        RegistrationEvent::Accepted { .. },
    ] = harness.events[..]
    else {
        panic!("{:?}", harness.events)
    };
    assert_eq!(
        harness
            .service
            .application(application)
            .unwrap()
            .acknowledgement,
        Some(AcknowledgementReference(acknowledgement))
    );
}

#[test]
fn recovery_restores_applications_holds_and_acknowledgements() {
    let mut harness = Harness::new(config());
    let first = open_new(&mut harness, 1, 11);
    let second = open_new(&mut harness, 2, 11);
    let open_only = open_new(&mut harness, 3, 13);
    let acknowledgement = AcknowledgementReference(accept(&mut harness, 1, first));
    harness.request(NOW, complete(2, second, 9));
    let before: Vec<_> = (0..3)
        .map(|number| harness.service.application(ApplicationId(number)))
        .collect();
    harness.crash();
    let recovered = RegistrationEvent::Recovered {
        records: 5,
        duplicates: 0,
        orphaned: 0,
        skipped_bytes: 0,
    };
    assert_eq!(harness.events.last(), Some(&recovered));
    let after: Vec<_> = (0..3)
        .map(|number| harness.service.application(ApplicationId(number)))
        .collect();
    assert_eq!(before, after);
    let found = harness
        .service
        .application_by_acknowledgement(acknowledgement);
    assert_eq!(found.map(|view| view.application), Some(first));
    // The duplicate index survived too: the third resident's capture is free, the first's
    // is not.
    assert_eq!(
        opened(harness.request(NOW, open(4, 104, 11))),
        OpenApplicationOutcome::Opened {
            application: ApplicationId(3)
        }
    );
    accept(&mut harness, 3, open_only);
    assert_eq!(
        completed(harness.request(NOW, complete(4, ApplicationId(3), 9))),
        CompleteApplicationOutcome::DuplicateSuspected
    );
}

#[test]
fn an_acknowledgement_outlives_a_change_of_key() {
    let mut harness = Harness::new(config());
    let application = open_new(&mut harness, 1, 11);
    let acknowledgement = accept(&mut harness, 1, application);
    let other_key = config_with_key(1);
    let mut service = RegistrationService::recover(other_key, &harness.disk.media).unwrap();
    let view = service.application(application).unwrap();
    assert_eq!(
        view.acknowledgement,
        Some(AcknowledgementReference(acknowledgement))
    );
    service.handle_input(NOW, Input::Wake);
    assert!(matches!(
        service.poll_output(),
        Some(Output::Event(RegistrationEvent::Recovered {
            records: 2,
            ..
        }))
    ));
}

#[test]
fn acknowledgements_are_deterministic_and_keyed() {
    let acknowledgement_with = |key| {
        let mut harness = Harness::new(config_with_key(key));
        let application = open_new(&mut harness, 1, 11);
        accept(&mut harness, 1, application)
    };
    assert_eq!(acknowledgement_with(3), acknowledgement_with(3));
    assert_ne!(acknowledgement_with(3), acknowledgement_with(4));
}

#[test]
fn messages_for_other_services_are_ignored() {
    let mut harness = Harness::new(config());
    harness.send(
        NOW,
        Message::EFormLookupRequest {
            reference: EFormReference(0),
        },
    );
    harness.send(
        NOW,
        Message::OpenApplicationReply {
            resident: ResidentId(1),
            outcome: OpenApplicationOutcome::Opened {
                application: ApplicationId(0),
            },
        },
    );
    harness.settle(NOW);
    assert!(harness.replies.is_empty() && harness.events.is_empty());
    assert_eq!(harness.service.application_count(), 0);
}

#[test]
fn recovery_refuses_a_record_it_cannot_use_and_says_which() {
    let acceptance = Record::Accepted {
        application: ApplicationId(0),
        photo: BiometricDigest(1),
        officer: OfficerId(2),
        acknowledgement: AcknowledgementReference(3),
    };
    let error = RegistrationService::recover(config(), &media_of(&[&acceptance.encode()]));
    assert_eq!(
        error.unwrap_err().to_string(),
        "registration journal record 0 contradicts the records before it: \
         a hold or acceptance names no open application"
    );
    let opening = Record::Opened {
        application: ApplicationId(0),
        resident: ResidentId(1),
        centre: CentreId(2),
        old_card: CardId(3),
        eform: EFormReference(4),
        identity: IdentityEvidence::KioskThumbs,
        thumbs: BiometricDigest(5),
    };
    let media = media_of(&[&opening.encode(), &[0xFF, 1]]);
    let error = RegistrationService::recover(config(), &media).unwrap_err();
    assert_eq!(
        error,
        MalformedRecord::Undecodable {
            service: "registration",
            index: 1,
            bytes: 2,
            tag: 0xFF
        }
    );
}
