//! The booking app against the real booking service: a booking and an e-form submitted
//! together, each answered once; a resubmission keeps the first form; a silent service is
//! given up on.

mod common;

use common::{BOOKING, Services};
use hkic_base::{SimTime, TimeOfDay, seed_stream};
use hkic_services::io::Output;
use hkic_services::messages::{
    BookOutcome, CentreId, EFormDigest, EFormSubmitOutcome, Message, ResidentId,
};
use hkic_terminals::{BookingApp, BookingAppEvent, BookingAppInput};

const APP: hkic_services::io::Address = hkic_services::io::Address(5);

/// Runs the app: delivers its requests (twice each when `duplicate`) and the replies back,
/// following its wake-ups; returns its events.
fn run(
    app: &mut BookingApp,
    services: &mut Services,
    inputs: Vec<BookingAppInput>,
    duplicate: bool,
) -> Vec<BookingAppEvent> {
    let mut now = common::start();
    let mut events = Vec::new();
    let mut pending: Vec<BookingAppInput> = inputs;
    let mut wake: Option<SimTime> = None;
    for _ in 0..1_000 {
        if pending.is_empty() {
            let Some(at) = wake.take() else { break };
            now = now.max(at);
            pending.push(BookingAppInput::Wake);
        }
        for input in std::mem::take(&mut pending) {
            app.handle_input(now, input);
            while let Some(output) = app.poll_output() {
                match output {
                    Output::Send { to, message } => {
                        let copies = if duplicate { 2 } else { 1 };
                        for _ in 0..copies {
                            for reply in services.deliver(now, APP, to, message.clone()) {
                                pending.push(BookingAppInput::Message {
                                    from: BOOKING,
                                    message: reply,
                                });
                            }
                        }
                    }
                    Output::WakeAt(at) => wake = Some(at),
                    Output::Event(event) => events.push(event),
                    other => panic!("{other:?}"),
                }
            }
        }
    }
    events
}

fn app() -> BookingApp {
    BookingApp::new(BOOKING, common::retry(), seed_stream(2))
}

fn book(resident: u32) -> BookingAppInput {
    BookingAppInput::Book {
        resident: ResidentId(resident),
        born: 1985,
        centre: CentreId(0),
        day: "2019-01-23".parse().unwrap(),
        preferred: TimeOfDay::from_hm(10, 0).unwrap(),
    }
}

fn submit(resident: u32, digest: u64) -> BookingAppInput {
    BookingAppInput::SubmitEForm {
        resident: ResidentId(resident),
        digest: EFormDigest(digest),
    }
}

#[test]
fn a_booking_carries_its_eform_and_each_is_answered_once() {
    let mut services = Services::new();
    let mut app = app();
    let events = run(&mut app, &mut services, vec![book(1), submit(1, 40)], true);
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(matches!(
        events[0],
        BookingAppEvent::Answered {
            outcome: BookOutcome::Booked { .. },
            ..
        }
    ));
    let BookingAppEvent::EFormAnswered {
        resident,
        outcome: EFormSubmitOutcome::Stored { qr },
    } = events[1]
    else {
        panic!("{events:?}")
    };
    assert_eq!((resident, qr.digest), (ResidentId(1), EFormDigest(40)));
    let lookup = Message::EFormLookupRequest {
        reference: qr.reference,
    };
    let found = services.booking.deliver(common::start(), APP, lookup);
    assert!(matches!(
        found[..],
        [Message::EFormLookupReply {
            outcome: hkic_services::messages::EFormLookupOutcome::Found {
                resident: ResidentId(1),
                ..
            },
            ..
        }]
    ));
}

#[test]
fn a_resubmitted_form_keeps_the_first_one() {
    let mut services = Services::new();
    let mut app = app();
    let first = run(&mut app, &mut services, vec![submit(2, 1)], false);
    let again = run(&mut app, &mut services, vec![submit(2, 9)], false);
    let [BookingAppEvent::EFormAnswered { outcome, .. }] = first[..] else {
        panic!("{first:?}")
    };
    assert_eq!(
        again,
        vec![BookingAppEvent::EFormAnswered {
            resident: ResidentId(2),
            outcome: EFormSubmitOutcome::AlreadySubmitted { qr: outcome.qr() }
        }]
    );
    assert_eq!(services.booking.service.eform_count(), 1);
}

#[test]
fn a_silent_service_is_given_up_on_for_each_call() {
    let mut services = Services::new();
    services.booking_unreachable = true;
    let mut app = app();
    let events = run(&mut app, &mut services, vec![book(3), submit(3, 1)], false);
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(events.contains(&BookingAppEvent::GaveUp {
        resident: ResidentId(3)
    }));
    assert!(events.contains(&BookingAppEvent::EFormGaveUp {
        resident: ResidentId(3)
    }));
}
