//! The personalisation line's work in hand: which cards it is personalising or has lately
//! finished, and their verdicts.
//!
//! Production calls the line with the services' retry policy, whose timeout (seconds) is
//! shorter than a card's personalisation and read-back; a card is physically personalised
//! once, so a repeated request must not make it again. A request for a card in hand is
//! answered from here: nothing more while the card is still on the line (its answer is on
//! its way), and the verdict again at once after (the first answer may have been lost).
//! A verdict is kept for [`RETAINED`] after the card left the line, which covers every
//! retry production makes of one call; a request later than that (production recovering
//! from a long outage) is personalised again, and since a card is a pure function of its
//! number and holder, the verdict is the same, only the work is repeated.

use std::collections::{BTreeMap, VecDeque};

use hkic_base::{SimDuration, SimTime};
use hkic_services::messages::{CardId, PersonalisationOutcome};

/// How long a verdict is kept after its card left the line.
pub(crate) const RETAINED: SimDuration = SimDuration::from_hours(24);

/// A card the line took: when it leaves the line, and how it fared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Job {
    done: SimTime,
    outcome: PersonalisationOutcome,
}

/// What the line does with a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Request {
    /// A card not in hand: personalise it.
    New,
    /// The card is still on the line: its answer comes when it is done.
    InHand,
    /// The card left the line with this verdict: answer it again now.
    Done(PersonalisationOutcome),
}

#[derive(Debug, Default)]
pub(crate) struct LineWork {
    jobs: BTreeMap<CardId, Job>,
    /// Cards in the order the line took them. Each has its own time on the line, so their
    /// `done` times are not quite in order: forgetting stops at the first card still
    /// retained, and a later one waits for it (a few seconds at most).
    taken: VecDeque<CardId>,
}

impl LineWork {
    /// What to do with a request for `card` at `now`.
    pub(crate) fn request(&mut self, now: SimTime, card: CardId) -> Request {
        self.forget_before(now);
        match self.jobs.get(&card) {
            None => Request::New,
            Some(job) if now < job.done => Request::InHand,
            Some(job) => Request::Done(job.outcome),
        }
    }

    /// The line took `card`; it leaves at `done` with `outcome`.
    pub(crate) fn taken(&mut self, card: CardId, done: SimTime, outcome: PersonalisationOutcome) {
        self.jobs.insert(card, Job { done, outcome });
        self.taken.push_back(card);
    }

    /// Cards in hand or remembered.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.jobs.len()
    }

    fn forget_before(&mut self, now: SimTime) {
        while let Some(&card) = self.taken.front() {
            let expired = self
                .jobs
                .get(&card)
                .is_none_or(|job| job.done.saturating_add(RETAINED) <= now);
            if !expired {
                return;
            }
            self.jobs.remove(&card);
            self.taken.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PersonalisationOutcome::{Failed, Verified};

    fn at(seconds: u64) -> SimTime {
        SimTime::EPOCH + SimDuration::from_secs(seconds)
    }

    #[test]
    fn a_card_is_taken_once_and_its_verdict_repeated_after() {
        let mut line = LineWork::default();
        assert_eq!(line.request(at(0), CardId(7)), Request::New);
        line.taken(CardId(7), at(40), Failed);
        assert_eq!(line.request(at(2), CardId(7)), Request::InHand);
        assert_eq!(line.request(at(39), CardId(7)), Request::InHand);
        assert_eq!(line.request(at(40), CardId(7)), Request::Done(Failed));
        assert_eq!(line.request(at(41), CardId(8)), Request::New);
    }

    #[test]
    fn verdicts_are_forgotten_a_retention_after_their_card_left() {
        let mut line = LineWork::default();
        line.taken(CardId(1), at(10), Verified);
        line.taken(CardId(2), at(20), Verified);
        let retained = RETAINED.as_nanos() / 1_000_000_000;
        assert_eq!(
            line.request(at(10 + retained - 1), CardId(1)),
            Request::Done(Verified)
        );
        assert_eq!(line.request(at(10 + retained), CardId(1)), Request::New);
        assert_eq!(line.len(), 1, "card 2 is still remembered");
        assert_eq!(line.request(at(20 + retained), CardId(3)), Request::New);
        assert_eq!(line.len(), 0);
    }
}
