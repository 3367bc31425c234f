//! The call-up opens: thousands of requests arrive at the same instant, as the network
//! delivers them (each copied up to three times and in any order), while the journal syncs
//! and the service crashes now and then; clients whose answer was lost ask again. No slot
//! is ever overbooked, nobody holds two bookings, and nobody is told two different things.

use std::collections::BTreeMap;

use rand::RngExt;

use super::tests_support::*;
use super::*;

const RESIDENTS: u32 = 3_000;
const QUOTA: u16 = 31;
const DAYS: [&str; 3] = ["2019-01-21", "2019-01-22", "2019-01-23"];
/// Half-hour slots from 08:00 to 22:00.
const SLOTS_PER_DAY: usize = 28;

/// A centre day from 08:00 to 22:00: 28 slots of 31, 868 bookings.
fn centre_config() -> BookingConfig {
    let mut config = config(QUOTA, 0);
    config.centres[0].closing = TimeOfDay::from_hm(22, 0).unwrap();
    config
}

/// Delivers `requests` in a shuffled order with copies, stepping the disk and sometimes
/// crashing between deliveries.
fn deliver_storm(harness: &mut Harness, now: SimTime, requests: &[Message], seed: u64) {
    let mut stream = hkic_base::seed_stream(seed);
    let mut deliveries: Vec<&Message> = Vec::new();
    for request in requests {
        for _ in 0..stream.random_range(1..=3) {
            deliveries.push(request);
        }
    }
    // Fisher-Yates with the seeded stream: the network's reordering.
    for index in (1..deliveries.len()).rev() {
        deliveries.swap(index, stream.random_range(0..=index));
    }
    for request in deliveries {
        harness.send(now, request.clone());
        for _ in 0..stream.random_range(0..3) {
            harness.step_disk(now);
        }
        if stream.random_range(0..700) == 0 {
            harness.crash();
        }
    }
}

#[test]
fn thousands_of_requests_as_the_call_up_opens_never_overbook() {
    let mut harness = Harness::new(centre_config());
    let opens = time("2019-01-01T08:00");
    let mut preference = hkic_base::seed_stream(11);
    let requests: Vec<Message> = (0..RESIDENTS)
        .map(|resident| {
            let day = DAYS[preference.random_range(0..DAYS.len())];
            book(resident, day, preference.random_range(8..22), 0)
        })
        .collect();
    // A nanosecond early, booking is not open yet: every answer says so, and nothing is kept.
    let early = SimTime::from_nanos(opens.as_nanos() - 1);
    let refused = harness.request(early, requests[0].clone());
    assert!(matches!(
        refused,
        Message::BookReply {
            outcome: BookOutcome::NotYetOpen { opens: at },
            ..
        } if at == opens
    ));
    assert!(harness.service.booked.iter().all(|&count| count == 0));
    harness.replies.clear();
    let mut told: BTreeMap<ResidentId, Message> = BTreeMap::new();
    let mut unanswered = requests.clone();
    // Rounds of retries for answers lost in crashes: bounded, and all answered well before.
    for round in 0..20u64 {
        if unanswered.is_empty() {
            break;
        }
        deliver_storm(&mut harness, opens, &unanswered, round);
        harness.settle(opens);
        for reply in harness.replies.drain(..) {
            let Message::BookReply { resident, .. } = reply else {
                panic!("{reply:?}")
            };
            if let Some(earlier) = told.insert(resident, reply.clone()) {
                assert_eq!(earlier, reply, "{resident:?} told two things");
            }
        }
        unanswered.retain(|request| request.resident().is_some_and(|r| !told.contains_key(&r)));
        assert!(harness.service.booked.iter().all(|&count| count <= QUOTA));
    }
    assert!(unanswered.is_empty(), "{} unanswered", unanswered.len());
    let mut per_slot: BTreeMap<SlotId, u16> = BTreeMap::new();
    let mut per_resident: BTreeMap<ResidentId, BookingId> = BTreeMap::new();
    for event in &harness.events {
        if let BookingEvent::Booked {
            slot,
            resident,
            booking,
            ..
        } = *event
        {
            *per_slot.entry(slot).or_default() += 1;
            let previous = per_resident.insert(resident, booking);
            assert!(previous.is_none_or(|previous| previous == booking));
        }
    }
    assert!(
        per_slot.values().all(|&count| count <= QUOTA),
        "{per_slot:?}"
    );
    // About 1,000 asked for each day's 868 places: every day is full, exactly.
    let places_per_day = SLOTS_PER_DAY * usize::from(QUOTA);
    let booked = told
        .values()
        .filter(|reply| booked_start(reply).is_some())
        .count();
    assert_eq!(booked, DAYS.len() * places_per_day);
    // (Events can be lost in a crash, the journal's records cannot: count the service's.)
    let held: u32 = harness
        .service
        .booked
        .iter()
        .map(|&count| u32::from(count))
        .sum();
    assert_eq!(held as usize, booked);
    assert!(per_resident.len() <= booked);
    let full = told
        .values()
        .filter(|reply| {
            matches!(
                reply,
                Message::BookReply {
                    outcome: BookOutcome::DayFull,
                    ..
                }
            )
        })
        .count();
    assert_eq!(booked + full, RESIDENTS as usize);
}
