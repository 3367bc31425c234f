use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::*;
use crate::messages::EFormLookupOutcome;
use crate::test_disk::test_service;

pub(super) fn date(text: &str) -> Date {
    text.parse().unwrap()
}

pub(super) fn time(text: &str) -> SimTime {
    text.parse().unwrap()
}

pub(super) fn config(slot_quota: u16, walk_in_quota: u16) -> BookingConfig {
    let calendar =
        Calendar::new(date("2019-01-01"), date("2019-12-31"), [date("2019-02-05")]).unwrap();
    BookingConfig {
        calendar,
        centres: vec![CentreTimetable {
            opening: TimeOfDay::from_hm(8, 0).unwrap(),
            closing: TimeOfDay::from_hm(10, 0).unwrap(),
            slot_length: SimDuration::from_minutes(30),
            slot_quota,
            walk_in_quota,
        }],
        first_day: date("2019-01-21"),
        last_day: date("2019-02-28"),
        horizon_working_days: 24,
        call_up: call_up(),
        check_in_early: SimDuration::from_minutes(30),
        check_in_late: SimDuration::from_minutes(15),
    }
}

/// The year of birth the tests' residents give: the called-up group's.
pub(super) const BORN: u16 = 1985;

/// Whether the test schedule lets members of a group register after its window closes.
pub(super) const LATE_COMERS: bool = true;

/// The test schedule: see [`call_up_groups`].
pub(super) fn call_up() -> CallUpSchedule {
    CallUpSchedule::new(call_up_groups(), LATE_COMERS).unwrap()
}

/// One group (1985-86) called up for the whole booking period, booking open since New
/// Year; and a later group (1968-69) whose window starts in March.
pub(super) fn call_up_groups() -> Vec<CallUpGroup> {
    vec![
        CallUpGroup {
            born_from: 1985,
            born_until: 1986,
            window_from: date("2019-01-21"),
            window_until: date("2019-02-28"),
            booking_opens: time("2019-01-01T08:00"),
        },
        CallUpGroup {
            born_from: 1968,
            born_until: 1969,
            window_from: date("2019-03-01"),
            window_until: date("2019-04-30"),
            booking_opens: time("2019-02-15T08:00"),
        },
    ]
}

test_service!(BookingService, BookingConfig, BookingEvent);

pub(super) type Harness = crate::test_disk::Harness<BookingService>;

pub(super) fn book(resident: u32, day: &str, hour: u32, minute: u32) -> Message {
    Message::BookRequest {
        resident: ResidentId(resident),
        born: BORN,
        centre: CentreId(0),
        day: date(day),
        preferred: TimeOfDay::from_hm(hour, minute).unwrap(),
    }
}

pub(super) fn booked_start(reply: &Message) -> Option<SimTime> {
    match reply {
        Message::BookReply {
            outcome: BookOutcome::Booked { slot_start, .. },
            ..
        } => Some(*slot_start),
        _ => None,
    }
}

#[test]
fn books_the_nearest_free_slot_until_the_day_is_full() {
    let mut harness = Harness::new(config(2, 0));
    let now = time("2019-01-14T09:00");
    let starts: Vec<String> = (0..8)
        .map(|resident| booked_start(&harness.request(now, book(resident, "2019-01-21", 9, 0))))
        .map(|start| start.map(|t| t.to_string()).unwrap_or_default())
        .collect();
    // 4 slots of quota 2: 09:00 twice, then later first (09:30), then earlier (08:30, 08:00).
    assert_eq!(starts[..2], ["2019-01-21T09:00:00", "2019-01-21T09:00:00"]);
    assert_eq!(starts[2..4], ["2019-01-21T09:30:00", "2019-01-21T09:30:00"]);
    assert_eq!(
        starts[4..8],
        [
            "2019-01-21T08:30:00",
            "2019-01-21T08:30:00",
            "2019-01-21T08:00:00",
            "2019-01-21T08:00:00"
        ]
    );
    let full = harness.request(now, book(99, "2019-01-21", 9, 0));
    assert!(matches!(
        full,
        Message::BookReply {
            outcome: BookOutcome::DayFull,
            ..
        }
    ));
}

#[test]
fn a_repeated_request_returns_the_same_booking_and_no_new_event() {
    let mut harness = Harness::new(config(5, 0));
    let now = time("2019-01-14T09:00");
    let first = harness.request(now, book(1, "2019-01-21", 8, 0));
    let events = harness.events.len();
    let again = harness.request(now, book(1, "2019-01-22", 9, 30));
    assert_eq!(first, again);
    assert_eq!(harness.events.len(), events);
}

#[test]
fn refuses_days_outside_the_horizon_and_closed_days() {
    let mut harness = Harness::new(config(5, 0));
    let now = time("2019-01-21T09:00");
    let outcome = |reply: Message| match reply {
        Message::BookReply { outcome, .. } => outcome,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        outcome(harness.request(now, book(1, "2019-01-21", 9, 0))),
        BookOutcome::OutsideHorizon
    );
    // 24 working days after Mon 21 Jan 2019 (5 Feb is a holiday) is Mon 25 Feb.
    assert!(matches!(
        outcome(harness.request(now, book(2, "2019-02-25", 9, 0))),
        BookOutcome::Booked { .. }
    ));
    assert_eq!(
        outcome(harness.request(now, book(3, "2019-02-26", 9, 0))),
        BookOutcome::OutsideHorizon
    );
    assert_eq!(
        outcome(harness.request(now, book(4, "2019-01-27", 9, 0))),
        BookOutcome::NoService
    );
    assert_eq!(
        outcome(harness.request(now, book(5, "2019-02-05", 9, 0))),
        BookOutcome::NoService
    );
}

#[test]
fn no_reply_leaves_before_its_record_is_durable() {
    let mut harness = Harness::new(config(5, 0));
    let now = time("2019-01-14T09:00");
    harness.send(now, book(1, "2019-01-21", 9, 0));
    // A refusal that arrives meanwhile waits too: it was decided on undurable state.
    harness.send(now, book(2, "2019-01-20", 9, 0));
    let mut steps = 0;
    while harness.step_disk(now) {
        steps += 1;
        assert!(harness.replies.is_empty() || harness.pending.is_empty());
    }
    // Append, sync, read back: only the read-back releases the replies, both of them.
    assert_eq!((steps, harness.replies.len()), (3, 2));
}

#[test]
fn check_in_respects_the_window_and_is_idempotent() {
    let mut harness = Harness::new(config(5, 0));
    let reply = harness.request(time("2019-01-14T09:00"), book(1, "2019-01-21", 9, 0));
    let Message::BookReply {
        outcome: BookOutcome::Booked { booking, .. },
        ..
    } = reply
    else {
        panic!("{reply:?}")
    };
    let check_in = Message::CheckInRequest {
        resident: ResidentId(1),
        booking,
        centre: CentreId(0),
    };
    let outcome_at =
        |harness: &mut Harness, at: &str| match harness.request(time(at), check_in.clone()) {
            Message::CheckInReply { outcome, .. } => outcome,
            other => panic!("{other:?}"),
        };
    assert_eq!(
        outcome_at(&mut harness, "2019-01-21T08:29"),
        CheckInOutcome::TooEarly {
            from: time("2019-01-21T08:30")
        }
    );
    assert_eq!(
        outcome_at(&mut harness, "2019-01-21T08:30"),
        CheckInOutcome::Admitted { ticket: 1 }
    );
    assert_eq!(
        outcome_at(&mut harness, "2019-01-21T09:40"),
        CheckInOutcome::Admitted { ticket: 1 }
    );
    let other = Message::CheckInRequest {
        resident: ResidentId(2),
        booking,
        centre: CentreId(0),
    };
    assert!(matches!(
        harness.request(time("2019-01-21T09:00"), other),
        Message::CheckInReply {
            outcome: CheckInOutcome::NotValidHere,
            ..
        }
    ));
    let late = harness.request(time("2019-01-14T09:00"), book(3, "2019-01-21", 9, 0));
    let Message::BookReply {
        outcome: BookOutcome::Booked { booking, .. },
        ..
    } = late
    else {
        panic!()
    };
    let check_in = Message::CheckInRequest {
        resident: ResidentId(3),
        booking,
        centre: CentreId(0),
    };
    assert!(matches!(
        harness.request(time("2019-01-21T09:46"), check_in),
        Message::CheckInReply {
            outcome: CheckInOutcome::TooLate,
            ..
        }
    ));
}

#[test]
fn walk_in_tickets_stop_at_the_quota_and_outside_opening_hours() {
    let mut harness = Harness::new(config(5, 2));
    let walk_in = |resident| Message::WalkInRequest {
        resident: ResidentId(resident),
        centre: CentreId(0),
    };
    let outcome = |reply: Message| match reply {
        Message::WalkInReply { outcome, .. } => outcome,
        other => panic!("{other:?}"),
    };
    let now = time("2019-01-21T08:15");
    assert_eq!(
        outcome(harness.request(now, walk_in(1))),
        WalkInOutcome::Ticket { ticket: 1 }
    );
    assert_eq!(
        outcome(harness.request(now, walk_in(1))),
        WalkInOutcome::Ticket { ticket: 1 }
    );
    assert_eq!(
        outcome(harness.request(now, walk_in(2))),
        WalkInOutcome::Ticket { ticket: 2 }
    );
    assert_eq!(
        outcome(harness.request(now, walk_in(3))),
        WalkInOutcome::QuotaExhausted
    );
    assert_eq!(
        outcome(harness.request(time("2019-01-22T10:00"), walk_in(4))),
        WalkInOutcome::Closed
    );
    assert_eq!(
        outcome(harness.request(time("2019-01-27T09:00"), walk_in(4))),
        WalkInOutcome::Closed
    );
}

fn submit(resident: u32, digest: u64) -> Message {
    Message::EFormSubmitRequest {
        resident: ResidentId(resident),
        digest: EFormDigest(digest),
    }
}

fn submit_outcome(reply: Message) -> EFormSubmitOutcome {
    match reply {
        Message::EFormSubmitReply { outcome, .. } => outcome,
        other => panic!("{other:?}"),
    }
}

fn lookup_outcome(reply: Message) -> EFormLookupOutcome {
    match reply {
        Message::EFormLookupReply { outcome, .. } => outcome,
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_eform_is_stored_once_per_resident_and_found_by_reference() {
    let mut harness = Harness::new(config(5, 0));
    let now = time("2019-01-14T09:00");
    let first = submit_outcome(harness.request(now, submit(1, 0xAA)));
    let EFormSubmitOutcome::Stored { qr } = first else {
        panic!("{first:?}")
    };
    assert_eq!(qr.digest, EFormDigest(0xAA));
    let events = harness.events.len();
    assert_eq!(submit_outcome(harness.request(now, submit(1, 0xAA))), first);
    assert_eq!(
        submit_outcome(harness.request(now, submit(1, 0xBB))),
        EFormSubmitOutcome::AlreadySubmitted { qr }
    );
    assert_eq!(harness.events.len(), events, "repeats store nothing");
    let other = submit_outcome(harness.request(now, submit(2, 0xAA))).qr();
    assert_ne!(other.reference, qr.reference);
    let lookup = |reference| Message::EFormLookupRequest { reference };
    assert_eq!(
        lookup_outcome(harness.request(now, lookup(qr.reference))),
        EFormLookupOutcome::Found {
            resident: ResidentId(1),
            digest: EFormDigest(0xAA)
        }
    );
    assert_eq!(
        lookup_outcome(harness.request(now, lookup(EFormReference(99)))),
        EFormLookupOutcome::NotFound
    );
    assert_eq!(harness.service.eform_count(), 2);
}

#[test]
fn an_eform_is_answered_only_once_durable_and_survives_a_crash() {
    let mut harness = Harness::new(config(5, 0));
    let now = time("2019-01-14T09:00");
    harness.send(now, submit(1, 7));
    // A lookup that arrives meanwhile waits too: it was decided on undurable state.
    harness.send(
        now,
        Message::EFormLookupRequest {
            reference: EFormReference(0),
        },
    );
    harness.step_disk(now);
    harness.step_disk(now);
    assert!(harness.replies.is_empty(), "{:?}", harness.replies);
    harness.settle(now);
    assert_eq!(harness.replies.len(), 2);
    let qr = submit_outcome(harness.replies[0].clone()).qr();
    harness.crash();
    assert_eq!(
        submit_outcome(harness.request(now, submit(1, 8))),
        EFormSubmitOutcome::AlreadySubmitted { qr }
    );
    let lookup = Message::EFormLookupRequest {
        reference: qr.reference,
    };
    assert_eq!(
        lookup_outcome(harness.request(now, lookup)),
        EFormLookupOutcome::Found {
            resident: ResidentId(1),
            digest: EFormDigest(7)
        }
    );
}

#[test]
fn an_eform_lost_in_a_crash_was_never_told_and_is_stored_again() {
    let mut harness = Harness::new(config(5, 0));
    let now = time("2019-01-14T09:00");
    harness.send(now, submit(1, 7));
    harness.step_disk(now);
    harness.crash();
    assert!(harness.replies.is_empty());
    let outcome = submit_outcome(harness.request(now, submit(1, 9)));
    assert_eq!(
        outcome,
        EFormSubmitOutcome::Stored {
            qr: EFormQr {
                reference: EFormReference(0),
                digest: EFormDigest(9)
            }
        }
    );
}

#[derive(Clone, Debug)]
enum Op {
    Book { resident: u32, day: u8, hour: u32 },
    SubmitEForm { resident: u32, digest: u64 },
    LookupEForm { reference: u64 },
    Disk,
    Crash,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u32..12, 0u8..3, 7u32..11).prop_map(|(resident, day, hour)| Op::Book { resident, day, hour }),
        2 => (0u32..12, 0u64..3).prop_map(|(resident, digest)| Op::SubmitEForm { resident, digest }),
        2 => (0u64..14).prop_map(|reference| Op::LookupEForm { reference }),
        4 => Just(Op::Disk),
        1 => Just(Op::Crash),
    ]
}

/// Everything residents and kiosks were told, to check that no later answer contradicts it.
#[derive(Debug, Default)]
struct Told {
    bookings: BTreeMap<u32, Message>,
    /// Per resident, the QR payload of their e-form.
    eforms: BTreeMap<ResidentId, EFormQr>,
    /// Per reference, whose e-form it is and its digest.
    references: BTreeMap<EFormReference, (ResidentId, EFormDigest)>,
}

impl Told {
    fn check(&mut self, reply: Message) -> Result<(), TestCaseError> {
        match reply {
            Message::BookReply { resident, .. } if booked_start(&reply).is_some() => {
                if let Some(earlier) = self.bookings.get(&resident.0) {
                    prop_assert_eq!(earlier, &reply);
                }
                self.bookings.insert(resident.0, reply);
            }
            Message::EFormSubmitReply { resident, outcome } => {
                let qr = outcome.qr();
                if let Some(earlier) = self.eforms.insert(resident, qr) {
                    prop_assert_eq!(earlier, qr);
                }
                self.learn(qr.reference, resident, qr.digest)?;
            }
            Message::EFormLookupReply { reference, outcome } => match outcome {
                EFormLookupOutcome::Found { resident, digest } => {
                    self.learn(reference, resident, digest)?
                }
                EFormLookupOutcome::NotFound => {
                    prop_assert!(
                        !self.references.contains_key(&reference),
                        "{reference:?} forgotten"
                    );
                }
            },
            _ => {}
        }
        Ok(())
    }

    fn learn(
        &mut self,
        reference: EFormReference,
        resident: ResidentId,
        digest: EFormDigest,
    ) -> Result<(), TestCaseError> {
        if let Some(earlier) = self.references.insert(reference, (resident, digest)) {
            prop_assert_eq!(earlier, (resident, digest));
        }
        if let Some(qr) = self.eforms.get(&resident) {
            prop_assert_eq!(*qr, EFormQr { reference, digest });
        }
        Ok(())
    }
}

fn apply_op(harness: &mut Harness, now: SimTime, op: Op) {
    match op {
        Op::Book {
            resident,
            day,
            hour,
        } => {
            let day = date("2019-01-21").add_days(i32::from(day));
            let message = Message::BookRequest {
                resident: ResidentId(resident),
                born: BORN,
                centre: CentreId(0),
                day,
                preferred: TimeOfDay::from_hm(hour, 0).unwrap(),
            };
            harness.send(now, message);
        }
        Op::SubmitEForm { resident, digest } => harness.send(now, submit(resident, digest)),
        Op::LookupEForm { reference } => harness.send(
            now,
            Message::EFormLookupRequest {
                reference: EFormReference(reference),
            },
        ),
        Op::Disk => {
            harness.step_disk(now);
        }
        Op::Crash => harness.crash(),
    }
}

proptest! {
    /// Arbitrary interleavings of requests (repeated ones included), disk progress and
    /// crashes: no slot ever holds more than its quota, a resident never has two bookings or
    /// two e-forms, and an answer once given (a booking, an e-form's reference and digest, a
    /// lookup that found a form) is never contradicted after a crash.
    #[test]
    fn never_overbooks_and_never_forgets_an_answer(ops in proptest::collection::vec(op(), 1..120)) {
        let mut harness = Harness::new(config(2, 0));
        let now = time("2019-01-14T09:00");
        let mut told = Told::default();
        for op in ops {
            apply_op(&mut harness, now, op);
            for reply in harness.replies.drain(..) {
                told.check(reply)?;
            }
            let mut per_slot: BTreeMap<SlotId, u32> = BTreeMap::new();
            let mut per_resident: BTreeMap<ResidentId, BookingId> = BTreeMap::new();
            let mut eform_of: BTreeMap<ResidentId, EFormReference> = BTreeMap::new();
            for event in &harness.events {
                match *event {
                    BookingEvent::Booked { slot, resident, booking, .. } => {
                        *per_slot.entry(slot).or_default() += 1;
                        let previous = per_resident.insert(resident, booking);
                        prop_assert!(previous.is_none_or(|previous| previous == booking));
                    }
                    BookingEvent::EFormStored { reference, resident, .. } => {
                        let previous = eform_of.insert(resident, reference);
                        prop_assert!(previous.is_none_or(|previous| previous == reference));
                    }
                    _ => {}
                }
            }
            prop_assert!(per_slot.values().all(|&count| count <= 2), "{per_slot:?}");
            prop_assert!(harness.service.booked.iter().all(|&count| count <= 2));
        }
    }
}
