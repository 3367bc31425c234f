//! The cards the registry knows and the indexes its rules read. State changes only through
//! [`Cards::apply`], on decision and on recovery alike, and `apply` refuses a record that
//! contradicts the state: the same check guards what the service decides and what it reads
//! back from its media.
//!
//! First-generation cards are known without a record each: resident `r`'s old card is
//! `CardId(r)` and is active unless a record withdrew it. New cards are numbered from
//! [`FIRST_NEW_CARD`] up, so the two ranges never meet.

use std::collections::BTreeMap;

use super::RegistryDefect;
use super::records::{Dispatched, Record};
use super::revocation_list::{ListedCard, RevocationList};
use crate::messages::{AcknowledgementReference, ApplicationId, CardId, CentreId, ResidentId};

/// The lowest number a new-generation card may have: below it, `CardId(r)` is resident
/// `r`'s first-generation card. Production numbers new cards from here up.
pub const FIRST_NEW_CARD: CardId = CardId(1 << 32);

/// Resident `resident`'s first-generation card.
pub fn first_generation_card(resident: ResidentId) -> CardId {
    CardId(u64::from(resident.0))
}

/// The holder of a first-generation card; `None` for a new card's number.
pub fn first_generation_holder(card: CardId) -> Option<ResidentId> {
    u32::try_from(card.0).ok().map(ResidentId)
}

/// Where a card stands. The registry learns of a new card at its dispatch, so its first
/// state is `ReadyAtCentre`; cancelled, lost and revoked cards are on the revocation list and
/// never come back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardState {
    ReadyAtCentre,
    Active,
    /// Replaced by the holder's next card at its activation.
    Cancelled,
    Lost,
    /// Withdrawn by the registry: a re-made card's predecessor, or by an officer.
    Revoked,
}

impl CardState {
    pub fn is_withdrawn(self) -> bool {
        matches!(
            self,
            CardState::Cancelled | CardState::Lost | CardState::Revoked
        )
    }
}

/// A new card's issue: the application it collects and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Issue {
    pub application: ApplicationId,
    pub acknowledgement: AcknowledgementReference,
    pub centre: CentreId,
    /// Set once activated (it stays set if the card is later lost or cancelled): the card
    /// its activation cancelled, if the holder had one active.
    pub activation: Option<Option<CardId>>,
}

/// What the registry knows of one card, for the services and checkers that read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CardView {
    pub card: CardId,
    pub resident: ResidentId,
    pub state: CardState,
    /// `None` for a first-generation card.
    pub issue: Option<Issue>,
    /// The revocation list version that first listed the card.
    pub listed_in: Option<u64>,
}

/// Fixed-size: no strings or boxes, so memory per card is known and small.
#[derive(Clone, Copy, Debug)]
struct NewCard {
    resident: ResidentId,
    state: CardState,
    issue: Issue,
}

#[derive(Debug, Default)]
pub(super) struct Cards {
    new_cards: BTreeMap<CardId, NewCard>,
    /// First-generation cards that are no longer active; every other one is.
    first_generation: BTreeMap<ResidentId, CardState>,
    /// The active new card of each resident who has one.
    active: BTreeMap<ResidentId, CardId>,
    /// The card each acknowledgement collects: its application's current card.
    by_acknowledgement: BTreeMap<AcknowledgementReference, CardId>,
    /// Every withdrawn card, with the list version that added it.
    listed: BTreeMap<CardId, u64>,
    version: u64,
    /// A planted defect (simulator runs that prove the checkers fire), else `None`.
    defect: Option<RegistryDefect>,
}

impl Cards {
    pub(super) fn new(defect: Option<RegistryDefect>) -> Cards {
        Cards {
            defect,
            ..Cards::default()
        }
    }

    pub(super) fn defect(&self) -> Option<RegistryDefect> {
        self.defect
    }

    /// The revocation list's version, counting every withdrawal applied.
    pub(super) fn version(&self) -> u64 {
        self.version
    }

    pub(super) fn view(&self, card: CardId) -> Option<CardView> {
        let listed_in = self.listed.get(&card).copied();
        if let Some(resident) = first_generation_holder(card) {
            let state = self.first_generation.get(&resident).copied();
            let state = state.unwrap_or(CardState::Active);
            let issue = None;
            return Some(CardView {
                card,
                resident,
                state,
                issue,
                listed_in,
            });
        }
        let stored = self.new_cards.get(&card)?;
        Some(CardView {
            card,
            resident: stored.resident,
            state: stored.state,
            issue: Some(stored.issue),
            listed_in,
        })
    }

    /// The card an acknowledgement collects, if any was dispatched for it.
    pub(super) fn collecting(&self, acknowledgement: AcknowledgementReference) -> Option<CardView> {
        self.view(*self.by_acknowledgement.get(&acknowledgement)?)
    }

    /// The resident's active cards: never more than one while the registry's rules hold.
    pub(super) fn active_cards_of(&self, resident: ResidentId) -> Vec<CardId> {
        let old = (!self.first_generation.contains_key(&resident))
            .then(|| first_generation_card(resident));
        old.into_iter()
            .chain(self.active.get(&resident).copied())
            .collect()
    }

    /// The one card an activation for `resident` cancels.
    pub(super) fn active_card_of(&self, resident: ResidentId) -> Option<CardId> {
        let active = self.active_cards_of(resident);
        let checked = self.defect.is_none();
        assert!(
            !checked || active.len() <= 1,
            "a resident holds two active cards"
        );
        active.first().copied()
    }

    /// The list as of `version` (an earlier version lists a prefix of the additions), each
    /// card with its state: a withdrawn card's state never changes again, so a version's
    /// list never does either.
    pub(super) fn revocation_list(&self, version: u64) -> RevocationList {
        assert!(version <= self.version, "a list version not reached yet");
        let cards = self.listed.iter();
        let cards = cards.filter(|&(_, &added)| added <= version);
        let entry = |(&card, _)| {
            let state = self.view(card).expect("a listed card is known").state;
            assert!(state.is_withdrawn(), "a listed card is withdrawn");
            ListedCard { card, state }
        };
        RevocationList {
            version,
            entries: cards.map(entry).collect(),
        }
    }

    /// New cards known so far.
    pub(super) fn new_card_count(&self) -> usize {
        self.new_cards.len()
    }

    /// Applies a record, or says what it contradicts (and changes nothing).
    pub(super) fn apply(&mut self, record: Record) -> Result<(), &'static str> {
        match record {
            Record::Ready { dispatched, .. } | Record::WithdrawnOnArrival { dispatched } => {
                self.place(record, dispatched)?
            }
            Record::Activated {
                card, cancelled, ..
            } => self.activate(card, cancelled)?,
            Record::Lost { card } => self.withdraw(card, CardState::Lost)?,
            Record::Revoked { card } => self.withdraw(card, CardState::Revoked)?,
        }
        Ok(())
    }

    /// Where a dispatched card goes: the record that places it. An application collects one
    /// card: once one of its cards was activated, any other is withdrawn on arrival; before
    /// that, of two ready cards the higher-numbered (the later made) is kept and the other
    /// revoked; a card whose predecessor was withdrawn before collection simply replaces it.
    /// Refuses a card that is known or first-generation, and an acknowledgement another
    /// application or resident holds.
    pub(super) fn placement(&self, dispatched: Dispatched) -> Result<Record, &'static str> {
        if dispatched.card < FIRST_NEW_CARD {
            return Err("a dispatch names a first-generation card number");
        }
        if self.new_cards.contains_key(&dispatched.card) {
            return Err("a dispatch names a card already dispatched");
        }
        let Some(current) = self.collecting(dispatched.acknowledgement) else {
            let withdrawn = None;
            return Ok(Record::Ready {
                dispatched,
                withdrawn,
            });
        };
        let issue = current
            .issue
            .expect("an acknowledgement collects a new card");
        if issue.application != dispatched.application || current.resident != dispatched.resident {
            return Err("a dispatch names another application's acknowledgement");
        }
        let record = if issue.activation.is_some() {
            Record::WithdrawnOnArrival { dispatched }
        } else if current.state.is_withdrawn() {
            let withdrawn = None;
            Record::Ready {
                dispatched,
                withdrawn,
            }
        } else if dispatched.card > current.card {
            let withdrawn = Some(current.card);
            Record::Ready {
                dispatched,
                withdrawn,
            }
        } else {
            Record::WithdrawnOnArrival { dispatched }
        };
        Ok(record)
    }

    /// Applies a dispatch's record if it is the placement the rules give.
    fn place(&mut self, record: Record, dispatched: Dispatched) -> Result<(), &'static str> {
        if self.placement(dispatched)? != record {
            return Err("a dispatch's record is not the placement the rules give");
        }
        match record {
            Record::Ready { withdrawn, .. } => {
                self.insert(dispatched, CardState::ReadyAtCentre);
                let acknowledgement = dispatched.acknowledgement;
                self.by_acknowledgement
                    .insert(acknowledgement, dispatched.card);
                if let Some(withdrawn) = withdrawn {
                    self.set_new_card_state(withdrawn, CardState::Revoked);
                    self.list(withdrawn);
                }
            }
            _ => {
                self.insert(dispatched, CardState::Revoked);
                self.list(dispatched.card);
            }
        }
        Ok(())
    }

    fn activate(&mut self, card: CardId, cancelled: Option<CardId>) -> Result<(), &'static str> {
        let Some(stored) = self.new_cards.get(&card).copied() else {
            return Err("an activation names no new card");
        };
        if stored.state != CardState::ReadyAtCentre {
            return Err("an activation names a card not ready");
        }
        let resident = stored.resident;
        let split = self.defect == Some(RegistryDefect::CancelInSecondStep);
        if self.active_card_of(resident) != cancelled && !split {
            return Err("an activation cancels another card than the holder's active one");
        }
        let forget = self.defect == Some(RegistryDefect::OldCardStaysActive);
        if let Some(cancelled) = cancelled.filter(|_| !forget) {
            self.set_state(resident, cancelled, CardState::Cancelled);
            self.list(cancelled);
        }
        let stored = self.new_cards.get_mut(&card).expect("checked above");
        stored.state = CardState::Active;
        stored.issue.activation = Some(cancelled);
        self.active.insert(resident, card);
        if self.defect.is_none() {
            assert_eq!(self.active_cards_of(resident), [card], "one active card");
        }
        Ok(())
    }

    fn withdraw(&mut self, card: CardId, state: CardState) -> Result<(), &'static str> {
        let Some(view) = self.view(card) else {
            return Err("a withdrawal names no card");
        };
        if view.state.is_withdrawn() {
            return Err("a withdrawal names a card already withdrawn");
        }
        self.set_state(view.resident, card, state);
        self.list(card);
        Ok(())
    }

    /// Moves a card out of its ready or active state.
    fn set_state(&mut self, resident: ResidentId, card: CardId, state: CardState) {
        assert!(state.is_withdrawn());
        if first_generation_holder(card).is_some() {
            let earlier = self.first_generation.insert(resident, state);
            assert!(earlier.is_none(), "a first-generation card withdrawn twice");
        } else {
            self.set_new_card_state(card, state);
        }
    }

    fn set_new_card_state(&mut self, card: CardId, state: CardState) {
        let stored = self.new_cards.get_mut(&card).expect("a known new card");
        assert!(!stored.state.is_withdrawn(), "a new card withdrawn twice");
        if stored.state == CardState::Active {
            let removed = self.active.remove(&stored.resident);
            assert_eq!(removed, Some(card));
        }
        stored.state = state;
    }

    fn insert(&mut self, dispatched: Dispatched, state: CardState) {
        let issue = Issue {
            application: dispatched.application,
            acknowledgement: dispatched.acknowledgement,
            centre: dispatched.centre,
            activation: None,
        };
        let resident = dispatched.resident;
        let card = NewCard {
            resident,
            state,
            issue,
        };
        let earlier = self.new_cards.insert(dispatched.card, card);
        assert!(earlier.is_none(), "a card dispatched twice");
    }

    /// Puts a withdrawn card on the revocation list, bumping its version.
    fn list(&mut self, card: CardId) {
        self.version += 1;
        let earlier = self.listed.insert(card, self.version);
        assert!(earlier.is_none(), "a card listed twice");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_card_stays_small() {
        assert!(size_of::<NewCard>() <= 56, "{}", size_of::<NewCard>());
    }

    #[test]
    fn card_number_ranges_never_meet() {
        let resident = ResidentId(u32::MAX);
        let old = first_generation_card(resident);
        assert!(old < FIRST_NEW_CARD);
        assert_eq!(first_generation_holder(old), Some(resident));
        assert_eq!(first_generation_holder(FIRST_NEW_CARD), None);
    }

    #[test]
    fn an_unknown_residents_old_card_is_active_and_nobody_elses() {
        let cards = Cards::default();
        let view = cards.view(CardId(42)).unwrap();
        assert_eq!(
            (view.resident, view.state),
            (ResidentId(42), CardState::Active)
        );
        assert_eq!(cards.active_cards_of(ResidentId(42)), [CardId(42)]);
        assert_eq!(cards.view(FIRST_NEW_CARD), None);
        assert_eq!(cards.revocation_list(0), RevocationList::default());
    }
}
