//! The table of appointment slots: every centre's slots on every day of the booking period,
//! numbered densely so that per-slot counters are a flat vector.

use hkic_base::{Calendar, Date, SimDuration, SimTime, TimeOfDay};

use crate::messages::CentreId;

/// One centre's opening hours and quotas.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CentreTimetable {
    pub opening: TimeOfDay,
    pub closing: TimeOfDay,
    pub slot_length: SimDuration,
    /// Bookings one slot may hold.
    pub slot_quota: u16,
    /// Same-day walk-in tickets a day.
    pub walk_in_quota: u16,
}

impl CentreTimetable {
    /// Whole slots between opening and closing.
    pub fn slots_per_day(&self) -> u32 {
        let open = self
            .closing
            .since_midnight()
            .saturating_sub(self.opening.since_midnight());
        (open.as_nanos() / self.slot_length.as_nanos().max(1)) as u32
    }
}

/// Identifies one slot: a centre, a day and a start time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SlotId(pub u32);

#[derive(Clone, Debug)]
pub struct SlotTable {
    first_day: Date,
    days: u32,
    centres: Vec<CentreTimetable>,
    /// The first slot id of each centre.
    centre_base: Vec<u32>,
    total: u32,
}

impl SlotTable {
    pub fn new(first_day: Date, last_day: Date, centres: Vec<CentreTimetable>) -> SlotTable {
        assert!(
            last_day >= first_day,
            "booking period ends before it starts"
        );
        let days = last_day.days_since(first_day) as u32 + 1;
        let mut centre_base = Vec::with_capacity(centres.len());
        let mut total = 0u32;
        for centre in &centres {
            centre_base.push(total);
            total = total
                .checked_add(days * centre.slots_per_day())
                .expect("too many slots");
        }
        SlotTable {
            first_day,
            days,
            centres,
            centre_base,
            total,
        }
    }

    pub fn len(&self) -> usize {
        self.total as usize
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    pub fn centre(&self, centre: CentreId) -> Option<&CentreTimetable> {
        self.centres.get(usize::from(centre.0))
    }

    pub fn day_index(&self, day: Date) -> Option<u32> {
        let index = u32::try_from(day.days_since(self.first_day)).ok()?;
        (index < self.days).then_some(index)
    }

    /// Dense index of a (centre, day) pair, for per-day counters.
    pub fn centre_day(&self, centre: CentreId, day: Date) -> Option<usize> {
        self.centre(centre)?;
        let day = self.day_index(day)?;
        Some(usize::from(centre.0) * self.days as usize + day as usize)
    }

    pub fn centre_days(&self) -> usize {
        self.centres.len() * self.days as usize
    }

    /// The slots of one centre on one day, in time order.
    pub fn slots_of_day(&self, centre: CentreId, day: Date) -> Option<std::ops::Range<u32>> {
        let timetable = self.centre(centre)?;
        let per_day = timetable.slots_per_day();
        let first = self.centre_base[usize::from(centre.0)] + self.day_index(day)? * per_day;
        Some(first..first + per_day)
    }

    /// The slot of that day whose interval contains `time` (clamped to the day's slots).
    pub fn slot_at(&self, centre: CentreId, day: Date, time: TimeOfDay) -> Option<SlotId> {
        let slots = self.slots_of_day(centre, day)?;
        if slots.is_empty() {
            return None;
        }
        let timetable = self.centre(centre)?;
        let after_opening = time
            .since_midnight()
            .saturating_sub(timetable.opening.since_midnight());
        let index = (after_opening.as_nanos() / timetable.slot_length.as_nanos()) as u32;
        Some(SlotId(slots.start + index.min(slots.len() as u32 - 1)))
    }

    /// The centre, day and start time of a slot.
    pub fn describe(&self, slot: SlotId) -> (CentreId, Date, SimTime) {
        assert!(slot.0 < self.total, "unknown slot");
        let centre = self.centre_base.partition_point(|&base| base <= slot.0) - 1;
        let timetable = &self.centres[centre];
        let within = slot.0 - self.centre_base[centre];
        let per_day = timetable.slots_per_day();
        let day = self.first_day.add_days((within / per_day) as i32);
        let start = SimTime::at(day, timetable.opening)
            + timetable.slot_length * u64::from(within % per_day);
        (CentreId(centre as u16), day, start)
    }

    /// Whether the centre serves appointments that day (open, and in the booking period).
    pub fn is_bookable(&self, calendar: &Calendar, centre: CentreId, day: Date) -> bool {
        self.slots_of_day(centre, day)
            .is_some_and(|slots| !slots.is_empty())
            && calendar.covers(day)
            && calendar.is_centre_open_day(day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> SlotTable {
        let timetable = |opening, closing| CentreTimetable {
            opening: TimeOfDay::from_hm(opening, 0).unwrap(),
            closing: TimeOfDay::from_hm(closing, 0).unwrap(),
            slot_length: SimDuration::from_minutes(30),
            slot_quota: 10,
            walk_in_quota: 5,
        };
        let first: Date = "2019-01-21".parse().unwrap();
        SlotTable::new(
            first,
            first.add_days(2),
            vec![timetable(8, 22), timetable(9, 17)],
        )
    }

    #[test]
    fn slots_are_numbered_densely_and_describe_themselves() {
        let table = table();
        assert_eq!(table.len(), 3 * 28 + 3 * 16);
        let day: Date = "2019-01-22".parse().unwrap();
        let slot = table
            .slot_at(CentreId(1), day, TimeOfDay::from_hm(10, 45).unwrap())
            .unwrap();
        let (centre, slot_day, start) = table.describe(slot);
        assert_eq!((centre, slot_day), (CentreId(1), day));
        assert_eq!(start.to_string(), "2019-01-22T10:30:00");
        let late = table
            .slot_at(CentreId(0), day, TimeOfDay::from_hm(23, 0).unwrap())
            .unwrap();
        assert_eq!(table.describe(late).2.to_string(), "2019-01-22T21:30:00");
        for id in 0..table.len() as u32 {
            let (centre, day, start) = table.describe(SlotId(id));
            assert_eq!(
                table.slot_at(centre, day, start.time_of_day()),
                Some(SlotId(id))
            );
        }
    }

    #[test]
    fn unknown_centres_and_days_have_no_slots() {
        let table = table();
        let day: Date = "2019-01-21".parse().unwrap();
        assert!(table.slots_of_day(CentreId(2), day).is_none());
        assert!(table.slots_of_day(CentreId(0), day.add_days(3)).is_none());
        assert!(table.slots_of_day(CentreId(0), day.add_days(-1)).is_none());
    }
}
