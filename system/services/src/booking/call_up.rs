//! The call-up schedule: residents are called up group by group, by year of birth; each
//! group may book from the moment its booking opens, for days within its window (the
//! "specified period" of the Registration of Persons orders). Late-comers, whose window has
//! closed, may still book any later day when the schedule accepts them (the real exercise
//! did: people who missed their period applied in later ones).

use hkic_base::{Date, SimTime};

use crate::messages::BookOutcome;

/// One call-up group: the years of birth it covers and its window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallUpGroup {
    /// First and last year of birth, inclusive.
    pub born_from: u16,
    pub born_until: u16,
    /// First and last day its members may register, inclusive.
    pub window_from: Date,
    pub window_until: Date,
    /// When its members may start booking.
    pub booking_opens: SimTime,
}

/// Why a schedule cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CallUpError {
    #[error("call-up group {group}: years of birth {from} to {until} run backwards")]
    Years { group: usize, from: u16, until: u16 },
    #[error("call-up group {group}: its window ends on {until}, before it starts on {from}")]
    Window {
        group: usize,
        from: Date,
        until: Date,
    },
    #[error("call-up groups {first} and {second} both hold year of birth {year}")]
    Overlap {
        first: usize,
        second: usize,
        year: u16,
    },
}

/// The groups, sorted by year of birth, none sharing a year.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallUpSchedule {
    groups: Vec<CallUpGroup>,
    late_comers: bool,
}

impl CallUpSchedule {
    /// A schedule of `groups` (in any order). `late_comers`: whether members of a group whose
    /// window has closed may still book.
    pub fn new(groups: Vec<CallUpGroup>, late_comers: bool) -> Result<CallUpSchedule, CallUpError> {
        for (group, g) in groups.iter().enumerate() {
            if g.born_until < g.born_from {
                let (from, until) = (g.born_from, g.born_until);
                return Err(CallUpError::Years { group, from, until });
            }
            if g.window_until < g.window_from {
                let (from, until) = (g.window_from, g.window_until);
                return Err(CallUpError::Window { group, from, until });
            }
        }
        let mut order: Vec<usize> = (0..groups.len()).collect();
        order.sort_by_key(|&index| groups[index].born_from);
        for pair in order.windows(2) {
            let (first, second) = (pair[0], pair[1]);
            if groups[second].born_from <= groups[first].born_until {
                let year = groups[second].born_from;
                return Err(CallUpError::Overlap {
                    first,
                    second,
                    year,
                });
            }
        }
        let groups = order.into_iter().map(|index| groups[index]).collect();
        Ok(CallUpSchedule {
            groups,
            late_comers,
        })
    }

    /// The group of a year of birth, if any.
    pub fn group_of(&self, born: u16) -> Option<&CallUpGroup> {
        let after = self.groups.partition_point(|group| group.born_from <= born);
        let group = self.groups[..after].last()?;
        (born <= group.born_until).then_some(group)
    }

    /// Whether someone born in `born` may register on `day` (booking opening aside).
    pub fn covers(&self, born: u16, day: Date) -> bool {
        self.group_of(born).is_some_and(|group| {
            day >= group.window_from && (day <= group.window_until || self.late_comers)
        })
    }

    /// Whether someone born in `born` may, at `now`, book a slot on `day`; the typed
    /// refusal if not.
    pub fn admit(&self, born: u16, now: SimTime, day: Date) -> Result<(), BookOutcome> {
        let group = self.group_of(born).ok_or(BookOutcome::NotCalledUp)?;
        if now < group.booking_opens {
            return Err(BookOutcome::NotYetOpen {
                opens: group.booking_opens,
            });
        }
        if !self.covers(born, day) {
            return Err(BookOutcome::OutsideWindow {
                from: group.window_from,
                until: group.window_until,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    fn group(born_from: u16, born_until: u16, from: &str, until: &str) -> CallUpGroup {
        CallUpGroup {
            born_from,
            born_until,
            window_from: date(from),
            window_until: date(until),
            booking_opens: SimTime::at_midnight(date(from).add_days(-14)),
        }
    }

    /// Cycles 1 and 2 of the real schedule (domain.md section 1a), in a shuffled order.
    fn schedule(late_comers: bool) -> CallUpSchedule {
        let groups = vec![
            group(1966, 1967, "2019-06-03", "2019-07-26"),
            group(1985, 1986, "2019-01-21", "2019-03-30"),
            group(1968, 1969, "2019-04-01", "2019-06-01"),
            group(1964, 1965, "2019-07-27", "2019-09-23"),
        ];
        CallUpSchedule::new(groups, late_comers).unwrap()
    }

    #[test]
    fn a_year_of_birth_finds_its_group_or_none() {
        let schedule = schedule(true);
        assert_eq!(schedule.group_of(1985).unwrap().born_until, 1986);
        assert_eq!(schedule.group_of(1986).unwrap().born_from, 1985);
        assert_eq!(schedule.group_of(1969).unwrap().born_from, 1968);
        assert_eq!(schedule.group_of(1964).unwrap().born_until, 1965);
        for year in [1900, 1963, 1970, 1984, 1987, 2010] {
            assert!(schedule.group_of(year).is_none(), "{year}");
        }
    }

    #[test]
    fn only_days_in_the_window_are_admitted_once_booking_opens() {
        let strict = schedule(false);
        let early = SimTime::at_midnight(date("2019-01-06"));
        let open = SimTime::at_midnight(date("2019-01-07"));
        assert_eq!(
            strict.admit(1985, early, date("2019-01-21")),
            Err(BookOutcome::NotYetOpen { opens: open })
        );
        assert_eq!(strict.admit(1985, open, date("2019-01-21")), Ok(()));
        assert_eq!(strict.admit(1986, open, date("2019-03-30")), Ok(()));
        let window = BookOutcome::OutsideWindow {
            from: date("2019-01-21"),
            until: date("2019-03-30"),
        };
        assert_eq!(strict.admit(1985, open, date("2019-01-19")), Err(window));
        assert_eq!(strict.admit(1985, open, date("2019-04-01")), Err(window));
        assert_eq!(
            strict.admit(1975, open, date("2019-01-21")),
            Err(BookOutcome::NotCalledUp)
        );
        // A later group may not come early.
        assert!(matches!(
            strict.admit(
                1968,
                SimTime::at_midnight(date("2019-03-20")),
                date("2019-03-30")
            ),
            Err(BookOutcome::OutsideWindow { .. })
        ));
        // With late-comers accepted, the 1985 group may come after its window.
        let lenient = schedule(true);
        assert_eq!(lenient.admit(1985, open, date("2019-04-01")), Ok(()));
        assert_eq!(lenient.admit(1985, open, date("2019-01-19")), Err(window));
    }

    #[test]
    fn overlapping_or_backward_groups_are_refused() {
        let overlap = vec![
            group(1985, 1986, "2019-01-21", "2019-03-30"),
            group(1986, 1987, "2019-04-01", "2019-06-01"),
        ];
        assert_eq!(
            CallUpSchedule::new(overlap, true),
            Err(CallUpError::Overlap {
                first: 0,
                second: 1,
                year: 1986
            })
        );
        let backwards = vec![group(1986, 1985, "2019-01-21", "2019-03-30")];
        assert!(matches!(
            CallUpSchedule::new(backwards, true),
            Err(CallUpError::Years { group: 0, .. })
        ));
        let window = vec![group(1985, 1986, "2019-03-30", "2019-01-21")];
        assert!(matches!(
            CallUpSchedule::new(window, true),
            Err(CallUpError::Window { group: 0, .. })
        ));
    }
}
