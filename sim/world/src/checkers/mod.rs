//! Invariant checkers. They observe what components report and never drive the system; the
//! first violation stops the run (exit code 3 in the CLI).
//!
//! Checked here: appointment slots never hold more bookings than the scenario's quota
//! (SYSTEM.md invariant 5), a day's walk-in tickets never exceed its quota, a resident never
//! holds two bookings, a booking a resident was told about is honoured (invariant 4 for
//! bookings), a restarted service can read back every record it wrote, every resident who
//! came in is accounted for (served, turned away, gave up, or still inside), and, at the end,
//! every queue drains (liveness); registration's invariants (`applications`); the cards'
//! (`cards`, invariants 1-3); and every issued card's SOD up to the CSCA (`sod`, invariant 6,
//! at `full` fidelity).

mod applications;
mod cards;
mod sod;

use std::collections::BTreeMap;

use hkic_base::Date;
use hkic_services::booking::{BookingEvent, SlotId};
use hkic_services::messages::{BookingId, CentreId, ResidentId};

/// The first broken invariant of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub invariant: &'static str,
    pub message: String,
}

pub const SLOT_QUOTA: &str = "slot-quota";
pub const WALK_IN_QUOTA: &str = "walk-in-quota";
pub const ONE_BOOKING_PER_RESIDENT: &str = "one-booking-per-resident";
pub const CONFIRMED_BOOKINGS_HONOURED: &str = "confirmed-bookings-honoured";
pub const QUEUES_DRAIN: &str = "queues-drain";
pub const JOURNAL_INTEGRITY: &str = "journal-integrity";
pub const RESIDENTS_ACCOUNTED: &str = "every-resident-accounted";

pub use applications::{ACCEPTED_APPLICATIONS_KEPT, ONE_APPLICATION_PER_RESIDENT};
pub use cards::{
    ACTIVATION_AFTER_MATCH, CARDS_REACH_HOLDERS, CardTally, Holding,
    OLD_CARD_CANCELLED_ON_ACTIVATION, ONE_ACTIVE_CARD,
};
pub use sod::SOD_VERIFIES;

pub const ALL: [&str; 14] = [
    SLOT_QUOTA,
    WALK_IN_QUOTA,
    ONE_BOOKING_PER_RESIDENT,
    CONFIRMED_BOOKINGS_HONOURED,
    QUEUES_DRAIN,
    JOURNAL_INTEGRITY,
    RESIDENTS_ACCOUNTED,
    ONE_APPLICATION_PER_RESIDENT,
    ACCEPTED_APPLICATIONS_KEPT,
    ONE_ACTIVE_CARD,
    ACTIVATION_AFTER_MATCH,
    OLD_CARD_CANCELLED_ON_ACTIVATION,
    CARDS_REACH_HOLDERS,
    SOD_VERIFIES,
];

#[derive(Debug)]
pub struct Checkers {
    /// Per centre, by `CentreId`.
    slot_quotas: Vec<u16>,
    /// The centre of each booking (a move stays at its centre).
    centre_of: BTreeMap<BookingId, CentreId>,
    walk_in_quota: u16,
    per_slot: BTreeMap<SlotId, u32>,
    booking_of: BTreeMap<ResidentId, BookingId>,
    walk_ins: BTreeMap<(CentreId, Date), BTreeMap<ResidentId, u16>>,
    told: BTreeMap<ResidentId, BookingId>,
    /// Who is inside the centre now, by resident number.
    inside: Vec<bool>,
    inside_count: u64,
    applications: applications::ApplicationChecks,
    cards: cards::CardChecks,
    sods: sod::SodChecks,
    checks: BTreeMap<&'static str, u64>,
}

impl Checkers {
    /// The simulated centre's quotas as the scenario states them (not as a possibly buggy
    /// service was configured).
    pub fn new(slot_quota: u16, walk_in_quota: u16) -> Checkers {
        Checkers {
            slot_quotas: vec![slot_quota],
            centre_of: BTreeMap::new(),
            walk_in_quota,
            per_slot: BTreeMap::new(),
            booking_of: BTreeMap::new(),
            walk_ins: BTreeMap::new(),
            told: BTreeMap::new(),
            inside: Vec::new(),
            inside_count: 0,
            applications: applications::ApplicationChecks::default(),
            cards: cards::CardChecks::default(),
            sods: sod::SodChecks::default(),
            checks: ALL.iter().map(|name| (*name, 0)).collect(),
        }
    }

    /// The slot quotas of the centres residents fall back to (`CentreId` 1 onwards).
    pub fn with_other_centres(mut self, slot_quotas: impl IntoIterator<Item = u16>) -> Checkers {
        self.slot_quotas.extend(slot_quotas);
        self
    }

    fn count(&mut self, invariant: &'static str) {
        *self.checks.entry(invariant).or_default() += 1;
    }

    pub fn checks(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        self.checks.iter().map(|(name, count)| (*name, *count))
    }

    /// The booking service made something durable.
    pub fn on_booking_event(&mut self, event: &BookingEvent) -> Result<(), Violation> {
        match *event {
            BookingEvent::Booked {
                booking,
                resident,
                centre,
                slot,
                slot_start,
            } => {
                self.count(ONE_BOOKING_PER_RESIDENT);
                if let Some(&earlier) = self.booking_of.get(&resident) {
                    if earlier != booking {
                        return Err(Violation {
                            invariant: ONE_BOOKING_PER_RESIDENT,
                            message: format!(
                                "resident {} holds bookings {} and {}",
                                resident.0, earlier.0, booking.0
                            ),
                        });
                    }
                    return Ok(());
                }
                self.booking_of.insert(resident, booking);
                self.centre_of.insert(booking, centre);
                self.count(SLOT_QUOTA);
                let quota = self.slot_quota(centre);
                let held = self.per_slot.entry(slot).or_default();
                *held += 1;
                if *held > u32::from(quota) {
                    return Err(Violation {
                        invariant: SLOT_QUOTA,
                        message: format!(
                            "the slot at {slot_start} (centre {}) holds {held} bookings, more than its quota of {quota}",
                            centre.0
                        ),
                    });
                }
                Ok(())
            }
            BookingEvent::WalkInIssued {
                resident,
                centre,
                day,
                ticket,
            } => {
                self.count(WALK_IN_QUOTA);
                let issued = self.walk_ins.entry((centre, day)).or_default();
                issued.insert(resident, ticket);
                if issued.len() > usize::from(self.walk_in_quota) {
                    return Err(Violation {
                        invariant: WALK_IN_QUOTA,
                        message: format!(
                            "{} walk-in tickets issued on {day}, more than the quota of {}",
                            issued.len(),
                            self.walk_in_quota
                        ),
                    });
                }
                Ok(())
            }
            BookingEvent::Cancelled {
                booking,
                resident,
                slot,
            } => {
                if self.booking_of.get(&resident) == Some(&booking) {
                    self.booking_of.remove(&resident);
                }
                if let Some(held) = self.per_slot.get_mut(&slot) {
                    *held = held.saturating_sub(1);
                }
                Ok(())
            }
            BookingEvent::Rescheduled {
                booking,
                from,
                to,
                slot_start,
                ..
            } => {
                self.count(SLOT_QUOTA);
                let centre = self.centre_of.get(&booking).copied().unwrap_or(CentreId(0));
                let quota = self.slot_quota(centre);
                if let Some(held) = self.per_slot.get_mut(&from) {
                    *held = held.saturating_sub(1);
                }
                let held = self.per_slot.entry(to).or_default();
                *held += 1;
                if *held > u32::from(quota) {
                    return Err(Violation {
                        invariant: SLOT_QUOTA,
                        message: format!(
                            "the slot at {slot_start} holds {held} bookings after a reschedule, more than its quota of {quota}"
                        ),
                    });
                }
                Ok(())
            }
            BookingEvent::CheckedIn { .. }
            | BookingEvent::EFormStored { .. }
            | BookingEvent::Recovered { .. } => Ok(()),
        }
    }

    /// A centre's slot quota as the scenario states it (none for an unknown centre).
    fn slot_quota(&self, centre: CentreId) -> u16 {
        self.slot_quotas
            .get(usize::from(centre.0))
            .copied()
            .unwrap_or(0)
    }

    /// The app told a resident they hold `booking`.
    pub fn on_booking_confirmed(
        &mut self,
        resident: ResidentId,
        booking: BookingId,
    ) -> Result<(), Violation> {
        self.count(CONFIRMED_BOOKINGS_HONOURED);
        match self.told.insert(resident, booking) {
            Some(earlier) if earlier != booking => Err(Violation {
                invariant: CONFIRMED_BOOKINGS_HONOURED,
                message: format!(
                    "resident {} was told booking {}, then booking {}",
                    resident.0, earlier.0, booking.0
                ),
            }),
            _ => Ok(()),
        }
    }

    /// The resident cancelled their booking (or lost track of it): nothing they were told
    /// about it is owed to them any more.
    pub fn on_booking_given_up(&mut self, resident: ResidentId) {
        self.told.remove(&resident);
    }

    /// The booking service said a resident's booking is not valid at the centre they booked.
    pub fn on_booking_not_recognised(
        &mut self,
        resident: ResidentId,
        booking: BookingId,
    ) -> Result<(), Violation> {
        self.count(CONFIRMED_BOOKINGS_HONOURED);
        if self.told.get(&resident) == Some(&booking) {
            return Err(Violation {
                invariant: CONFIRMED_BOOKINGS_HONOURED,
                message: format!(
                    "resident {}'s confirmed booking {} was not recognised at check-in",
                    resident.0, booking.0
                ),
            });
        }
        Ok(())
    }

    /// A restarted service read its journal back; `problem` says why it could not.
    pub fn on_recovery(&mut self, problem: Option<String>) -> Result<(), Violation> {
        self.count(JOURNAL_INTEGRITY);
        match problem {
            None => Ok(()),
            Some(message) => Err(Violation {
                invariant: JOURNAL_INTEGRITY,
                message,
            }),
        }
    }

    /// A resident came in (a visit starts).
    pub fn on_entered(&mut self, resident: u32) -> Result<(), Violation> {
        self.count(RESIDENTS_ACCOUNTED);
        let index = resident as usize;
        if self.inside.len() <= index {
            self.inside.resize(index + 1, false);
        }
        if std::mem::replace(&mut self.inside[index], true) {
            return Err(Violation {
                invariant: RESIDENTS_ACCOUNTED,
                message: format!("resident {resident} came in while already inside"),
            });
        }
        self.inside_count += 1;
        Ok(())
    }

    /// A resident's visit ended: served, turned away, or gave up.
    pub fn on_left(&mut self, resident: u32, how: &str) -> Result<(), Violation> {
        self.count(RESIDENTS_ACCOUNTED);
        let was_inside = self
            .inside
            .get_mut(resident as usize)
            .map(|inside| std::mem::replace(inside, false));
        if was_inside != Some(true) {
            return Err(Violation {
                invariant: RESIDENTS_ACCOUNTED,
                message: format!("resident {resident} {how} without being inside"),
            });
        }
        self.inside_count -= 1;
        Ok(())
    }

    /// At the end of the run: nobody is left inside, waiting or mid-booking.
    pub fn at_end(&mut self, in_centre: u64, unsettled: u64) -> Result<(), Violation> {
        self.count(RESIDENTS_ACCOUNTED);
        if in_centre != self.inside_count {
            return Err(Violation {
                invariant: RESIDENTS_ACCOUNTED,
                message: format!(
                    "{} residents came in and did not leave, but {in_centre} are in the centre",
                    self.inside_count
                ),
            });
        }
        self.count(QUEUES_DRAIN);
        if in_centre > 0 || unsettled > 0 {
            return Err(Violation {
                invariant: QUEUES_DRAIN,
                message: format!(
                    "the run ended with {in_centre} residents still in the centre and {unsettled} with unfinished requests"
                ),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_visit_ends_once_and_only_after_it_starts() {
        let mut checkers = Checkers::new(10, 10);
        assert!(
            checkers.on_left(3, "was served").is_err(),
            "left without coming in"
        );
        checkers.on_entered(3).unwrap();
        assert!(checkers.on_entered(3).is_err(), "came in twice");
        checkers.on_left(3, "was served").unwrap();
        assert!(checkers.on_left(3, "was served").is_err(), "left twice");
        checkers.on_entered(4).unwrap();
        assert!(
            checkers.at_end(0, 0).is_err(),
            "one still inside, none counted in the centre"
        );
    }
}
