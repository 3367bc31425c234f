//! Cancelling and rescheduling bookings.

use super::tests_support::*;
use super::*;
use crate::messages::CancelOutcome;

fn booking_of(reply: &Message) -> BookingId {
    match reply {
        Message::BookReply {
            outcome: BookOutcome::Booked { booking, .. },
            ..
        }
        | Message::RescheduleReply {
            outcome: BookOutcome::Booked { booking, .. },
            ..
        } => *booking,
        other => panic!("not booked: {other:?}"),
    }
}

fn cancel(resident: u32, booking: BookingId) -> Message {
    Message::CancelBookingRequest {
        resident: ResidentId(resident),
        booking,
    }
}

fn reschedule(resident: u32, booking: BookingId, day: &str) -> Message {
    Message::RescheduleRequest {
        resident: ResidentId(resident),
        booking,
        day: date(day),
        preferred: TimeOfDay::from_hm(9, 0).unwrap(),
    }
}

fn cancel_outcome(reply: Message) -> CancelOutcome {
    match reply {
        Message::CancelBookingReply { outcome, .. } => outcome,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_cancelled_booking_frees_its_slot_once_and_cannot_be_used() {
    let mut harness = Harness::new(config(1, 0));
    let now = time("2019-01-14T09:00");
    let first = booking_of(&harness.request(now, book(1, "2019-01-21", 9, 0)));
    assert_eq!(
        booked_start(&harness.request(now, book(2, "2019-01-21", 9, 0))),
        Some(time("2019-01-21T09:30"))
    );
    assert_eq!(
        cancel_outcome(harness.request(now, cancel(2, first))),
        CancelOutcome::Unknown
    );
    assert_eq!(
        cancel_outcome(harness.request(now, cancel(1, first))),
        CancelOutcome::Cancelled
    );
    let events = harness.events.len();
    assert_eq!(
        cancel_outcome(harness.request(now, cancel(1, first))),
        CancelOutcome::Cancelled
    );
    assert_eq!(harness.events.len(), events, "a repeat changes nothing");
    // The slot is free again, and the resident may book anew.
    assert_eq!(
        booked_start(&harness.request(now, book(3, "2019-01-21", 9, 0))),
        Some(time("2019-01-21T09:00"))
    );
    let again = booking_of(&harness.request(now, book(1, "2019-01-22", 9, 0)));
    assert_ne!(again, first);
    let check_in = Message::CheckInRequest {
        resident: ResidentId(1),
        booking: first,
        centre: CentreId(0),
    };
    assert!(matches!(
        harness.request(time("2019-01-21T09:00"), check_in),
        Message::CheckInReply {
            outcome: CheckInOutcome::NotValidHere,
            ..
        }
    ));
}

#[test]
fn a_used_booking_cannot_be_cancelled_or_moved() {
    let mut harness = Harness::new(config(2, 0));
    let booking =
        booking_of(&harness.request(time("2019-01-14T09:00"), book(1, "2019-01-21", 9, 0)));
    let check_in = Message::CheckInRequest {
        resident: ResidentId(1),
        booking,
        centre: CentreId(0),
    };
    harness.request(time("2019-01-21T09:00"), check_in);
    let now = time("2019-01-21T09:05");
    assert_eq!(
        cancel_outcome(harness.request(now, cancel(1, booking))),
        CancelOutcome::AlreadyUsed
    );
    assert!(matches!(
        harness.request(now, reschedule(1, booking, "2019-01-23")),
        Message::RescheduleReply {
            outcome: BookOutcome::NoService,
            ..
        }
    ));
}

#[test]
fn a_reschedule_moves_the_booking_atomically_and_survives_a_crash() {
    let mut harness = Harness::new(config(1, 0));
    let now = time("2019-01-14T09:00");
    let booking = booking_of(&harness.request(now, book(1, "2019-01-21", 9, 0)));
    // Fill 2019-01-23 entirely (four slots of one).
    for resident in 10..14 {
        booking_of(&harness.request(now, book(resident, "2019-01-23", 9, 0)));
    }
    assert!(matches!(
        harness.request(now, reschedule(1, booking, "2019-01-23")),
        Message::RescheduleReply {
            outcome: BookOutcome::DayFull,
            ..
        }
    ));
    let moved = harness.request(now, reschedule(1, booking, "2019-01-22"));
    assert_eq!(
        booking_of(&moved),
        booking,
        "a move keeps the booking's number"
    );
    let events = harness.events.len();
    assert_eq!(
        harness.request(now, reschedule(1, booking, "2019-01-22")),
        moved
    );
    assert_eq!(harness.events.len(), events, "a repeat changes nothing");
    // The old slot is free for somebody else.
    assert_eq!(
        booked_start(&harness.request(now, book(2, "2019-01-21", 9, 0))),
        Some(time("2019-01-21T09:00"))
    );
    harness.crash();
    assert_eq!(
        harness.request(now, reschedule(1, booking, "2019-01-22")),
        moved
    );
    // The day the booking left has exactly one booking (resident 2's) in its 09:00 slot.
    assert_eq!(
        booked_start(&harness.request(now, book(3, "2019-01-21", 9, 0))),
        Some(time("2019-01-21T09:30"))
    );
}
