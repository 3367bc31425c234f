//! The cards' invariants (SYSTEM.md 1-3): a person never holds two active cards; a card is
//! activated only after a live fingerprint of its holder matched at collection; the old card
//! is cancelled exactly when its replacement activates. Checked on the registry's durable
//! events against what the world saw at the collection kiosks.

use std::collections::{BTreeMap, BTreeSet};

use hkic_services::messages::{BiometricDigest, CardId, ResidentId};
use hkic_services::registry::{RegistryEvent, first_generation_card};

use super::{Checkers, Violation};

pub const ONE_ACTIVE_CARD: &str = "one-active-card-per-person";
pub const ACTIVATION_AFTER_MATCH: &str = "activation-after-fingerprint-match";
pub const OLD_CARD_CANCELLED_ON_ACTIVATION: &str = "old-card-cancelled-on-activation";
pub const CARDS_REACH_HOLDERS: &str = "accepted-applications-end-in-cards";

/// Which card a resident should hold at the end of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holding {
    /// They collected their new card.
    NewCard,
    /// They never collected one (or never applied).
    OldCard,
    /// The officers took over: they may have finished an activation the kiosk began.
    Either,
}

impl Holding {
    fn describe(self) -> &'static str {
        match self {
            Holding::NewCard => "a collected new card",
            Holding::OldCard => "their old card",
            Holding::Either => "one card",
        }
    }
}

/// At the end of a run, where every accepted application's card is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CardTally {
    pub accepted: u64,
    pub collected: u64,
    /// Holders who come to collect after the period (not simulated).
    pub after_period: u64,
    /// Holders the officers took over from (out of visits, or a card that failed its
    /// checks).
    pub handed_to_officers: u64,
}

#[derive(Debug, Default)]
pub(super) struct CardChecks {
    /// Each person's active card, for those whose first-generation card is no longer it.
    active: BTreeMap<ResidentId, CardId>,
    /// Live thumb captures that matched a card's DG3 at a collection kiosk.
    matched: BTreeSet<(ResidentId, BiometricDigest)>,
}

fn violation(invariant: &'static str, message: String) -> Result<(), Violation> {
    Err(Violation { invariant, message })
}

impl Checkers {
    /// Liveness at the end of the run: every application a resident was told was accepted
    /// ended in a collected card, a collection still to come after the period, or the
    /// officers' hands; none is stuck in production or at the registry.
    pub fn at_end_cards(&mut self, tally: CardTally) -> Result<(), Violation> {
        self.count(CARDS_REACH_HOLDERS);
        let accounted = tally.collected + tally.after_period + tally.handed_to_officers;
        if accounted != tally.accepted {
            return violation(
                CARDS_REACH_HOLDERS,
                format!(
                    "{} applications were accepted, but {} cards were collected, {} holders come after the period and {} went to officers",
                    tally.accepted, tally.collected, tally.after_period, tally.handed_to_officers
                ),
            );
        }
        Ok(())
    }

    /// At the end of the run, the registry's account of one resident: exactly one active
    /// card (invariant 1, and liveness: nobody is left without one), and the one `expected`.
    pub fn at_end_holder(
        &mut self,
        resident: ResidentId,
        expected: Holding,
        active: &[CardId],
    ) -> Result<(), Violation> {
        self.count(ONE_ACTIVE_CARD);
        let old = first_generation_card(resident);
        let holds = match active {
            [card] if *card == old => expected != Holding::NewCard,
            [_] => expected != Holding::OldCard,
            _ => false,
        };
        if holds {
            return Ok(());
        }
        let cards: Vec<u64> = active.iter().map(|card| card.0).collect();
        violation(
            ONE_ACTIVE_CARD,
            format!(
                "at the end, resident {} should hold {} as their one active card, but holds {cards:?}",
                resident.0,
                expected.describe()
            ),
        )
    }

    /// A collection kiosk's fingerprint module matched `resident`'s live thumbs (digest
    /// `capture`) against the DG3 of the card at its reader.
    pub fn on_collection_match(&mut self, resident: ResidentId, capture: BiometricDigest) {
        self.cards.matched.insert((resident, capture));
    }

    /// The registry made something durable.
    pub fn on_registry_event(&mut self, event: &RegistryEvent) -> Result<(), Violation> {
        let RegistryEvent::Activated {
            resident,
            card,
            cancelled,
            live_thumbs,
            ..
        } = *event
        else {
            return Ok(());
        };
        self.count(ACTIVATION_AFTER_MATCH);
        if !self.cards.matched.contains(&(resident, live_thumbs)) {
            return violation(
                ACTIVATION_AFTER_MATCH,
                format!(
                    "card {} of resident {} was activated without a live fingerprint match",
                    card.0, resident.0
                ),
            );
        }
        let active = *self
            .cards
            .active
            .get(&resident)
            .unwrap_or(&first_generation_card(resident));
        if active == card {
            return Ok(()); // a repeated activation
        }
        self.count(OLD_CARD_CANCELLED_ON_ACTIVATION);
        if cancelled != Some(active) {
            return violation(
                OLD_CARD_CANCELLED_ON_ACTIVATION,
                format!(
                    "card {} of resident {} was activated, cancelling {:?}, but their active card was {}",
                    card.0,
                    resident.0,
                    cancelled.map(|c| c.0),
                    active.0
                ),
            );
        }
        self.cards.active.insert(resident, card);
        Ok(())
    }

    /// The registry's own account of `resident`'s active cards, read after each of their
    /// activations: never more than one (invariant 1), and the one it activated.
    pub fn on_active_cards(
        &mut self,
        resident: ResidentId,
        active: &[CardId],
    ) -> Result<(), Violation> {
        self.count(ONE_ACTIVE_CARD);
        if active.len() > 1 {
            let cards: Vec<u64> = active.iter().map(|card| card.0).collect();
            return violation(
                ONE_ACTIVE_CARD,
                format!(
                    "resident {} holds {} active cards: {cards:?}",
                    resident.0,
                    active.len()
                ),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hkic_services::messages::CentreId;

    fn activated(resident: u32, card: u64, cancelled: Option<u64>, thumbs: u64) -> RegistryEvent {
        RegistryEvent::Activated {
            resident: ResidentId(resident),
            card: CardId(card),
            cancelled: cancelled.map(CardId),
            centre: CentreId(0),
            live_thumbs: BiometricDigest(thumbs),
        }
    }

    #[test]
    fn an_activation_needs_a_matched_live_capture_of_the_holder() {
        let mut checkers = Checkers::new(10, 10);
        let event = activated(7, 1 << 40, Some(7), 99);
        let error = checkers.on_registry_event(&event).unwrap_err();
        assert_eq!(error.invariant, ACTIVATION_AFTER_MATCH);
        // Somebody else's match does not count either.
        checkers.on_collection_match(ResidentId(8), BiometricDigest(99));
        assert!(checkers.on_registry_event(&event).is_err());
        checkers.on_collection_match(ResidentId(7), BiometricDigest(99));
        checkers.on_registry_event(&event).unwrap();
        // A repeat of the same activation is fine.
        checkers.on_registry_event(&event).unwrap();
    }

    #[test]
    fn the_active_card_must_be_the_one_cancelled() {
        let mut checkers = Checkers::new(10, 10);
        checkers.on_collection_match(ResidentId(7), BiometricDigest(1));
        let no_cancel = activated(7, 1 << 40, None, 1);
        let error = checkers.on_registry_event(&no_cancel).unwrap_err();
        assert_eq!(error.invariant, OLD_CARD_CANCELLED_ON_ACTIVATION);
        let wrong = activated(7, 1 << 40, Some(8), 1);
        assert!(checkers.on_registry_event(&wrong).is_err());
        checkers
            .on_registry_event(&activated(7, 1 << 40, Some(7), 1))
            .unwrap();
        // A second new card must cancel the first new one, not the old card again.
        let second = activated(7, (1 << 40) + 1, Some(7), 1);
        assert!(checkers.on_registry_event(&second).is_err());
        checkers
            .on_registry_event(&activated(7, (1 << 40) + 1, Some(1 << 40), 1))
            .unwrap();
    }

    #[test]
    fn the_registry_may_show_one_active_card_per_person() {
        let mut checkers = Checkers::new(10, 10);
        checkers
            .on_active_cards(ResidentId(7), &[CardId(1 << 40)])
            .unwrap();
        let two = [CardId(7), CardId(1 << 40)];
        let error = checkers.on_active_cards(ResidentId(7), &two).unwrap_err();
        assert_eq!(error.invariant, ONE_ACTIVE_CARD);
    }

    #[test]
    fn at_the_end_everybody_holds_exactly_the_card_they_should() {
        let mut checkers = Checkers::new(10, 10);
        let new = CardId(1 << 40);
        let good = [
            (Holding::NewCard, vec![new]),
            (Holding::OldCard, vec![CardId(7)]),
            (Holding::Either, vec![new]),
            (Holding::Either, vec![CardId(7)]),
        ];
        for (expected, active) in good {
            checkers
                .at_end_holder(ResidentId(7), expected, &active)
                .unwrap();
        }
        let wrong = [
            (Holding::NewCard, vec![CardId(7)]),
            (Holding::OldCard, vec![new]),
            (Holding::NewCard, vec![]),
            (Holding::Either, vec![]),
            (Holding::Either, vec![CardId(7), new]),
        ];
        for (expected, active) in wrong {
            let error = checkers
                .at_end_holder(ResidentId(7), expected, &active)
                .unwrap_err();
            assert_eq!(error.invariant, ONE_ACTIVE_CARD, "{expected:?} {active:?}");
        }
    }

    #[test]
    fn every_accepted_application_must_end_somewhere() {
        let mut checkers = Checkers::new(10, 10);
        let tally = CardTally {
            accepted: 10,
            collected: 7,
            after_period: 2,
            handed_to_officers: 1,
        };
        checkers.at_end_cards(tally).unwrap();
        let stuck = CardTally {
            collected: 6,
            ..tally
        };
        let error = checkers.at_end_cards(stuck).unwrap_err();
        assert_eq!(error.invariant, CARDS_REACH_HOLDERS);
    }
}
