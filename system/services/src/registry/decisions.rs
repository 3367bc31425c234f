//! The registry's decisions: a card's dispatch, a kiosk's lookup and its activation request,
//! and the internal API's withdrawals (lost and revoked cards). Each returns the answer and
//! the event it reveals; a decision that changes state journals exactly one record.

use super::cards::{CardState, first_generation_holder};
use super::records::{Dispatched, Record};
use super::{RegistryDefect, RegistryEvent, RegistryService, WithdrawalOutcome};
use crate::messages::{
    AcknowledgementReference, ActivationOutcome, ActivationRefusal, CardActivation, CardDispatch,
    CardId, CentreId, CollectionLookupOutcome, Message, ResidentId, RevocationListFetch,
};

impl RegistryService {
    /// Idempotent per card: a card already dispatched answers again and changes nothing
    /// (its first dispatch stands, whatever a repeat says). A dispatch the registry cannot
    /// take gets no reply, only a `DispatchRefused` event: the message has no refusal, and
    /// telling production "done" would lose the card.
    pub(super) fn dispatch(
        &mut self,
        dispatch: CardDispatch,
    ) -> (Option<Message>, Option<RegistryEvent>) {
        let CardDispatch { card, order } = dispatch;
        let reply = Message::CardDispatchReply { card };
        let known = self.cards.view(card);
        if known.is_some_and(|view| view.issue.is_some()) {
            return (Some(reply), None);
        }
        let dispatched = Dispatched {
            card,
            application: order.application,
            resident: order.resident,
            centre: order.centre,
            acknowledgement: order.acknowledgement,
        };
        let record = match self.cards.placement(dispatched) {
            Ok(record) => record,
            Err(problem) => {
                let application = order.application;
                let event = RegistryEvent::DispatchRefused {
                    card,
                    application,
                    problem,
                };
                return (None, Some(event));
            }
        };
        self.commit(record);
        let event = match record {
            Record::Ready { withdrawn, .. } => RegistryEvent::CardReady {
                card,
                resident: order.resident,
                application: order.application,
                acknowledgement: order.acknowledgement,
                centre: order.centre,
                withdrawn,
            },
            _ => {
                let kept = self.cards.collecting(order.acknowledgement);
                RegistryEvent::CardWithdrawn {
                    card,
                    resident: order.resident,
                    application: order.application,
                    kept: kept
                        .expect("a card withdrawn on arrival has a kept one")
                        .card,
                }
            }
        };
        (Some(reply), Some(event))
    }

    /// Read-only. An active card answers `Ready` at its centre (activation is idempotent);
    /// an acknowledgement the registry does not know answers `NotReady` (see the module's
    /// documentation).
    pub(super) fn lookup(
        &self,
        acknowledgement: AcknowledgementReference,
        centre: CentreId,
    ) -> CollectionLookupOutcome {
        let Some(view) = self.cards.collecting(acknowledgement) else {
            return CollectionLookupOutcome::NotReady;
        };
        let issue = view.issue.expect("an acknowledgement collects a new card");
        match view.state {
            CardState::ReadyAtCentre | CardState::Active if issue.centre == centre => {
                let (resident, card) = (view.resident, view.card);
                CollectionLookupOutcome::Ready { resident, card }
            }
            CardState::ReadyAtCentre | CardState::Active => {
                let centre = issue.centre;
                CollectionLookupOutcome::AtAnotherCentre { centre }
            }
            CardState::Cancelled | CardState::Lost | CardState::Revoked => {
                CollectionLookupOutcome::Withdrawn
            }
        }
    }

    /// Read-only: the durable list, signed, if it is newer than the one the asker holds. The
    /// reply waits behind the journal like every other, and names a durable version only,
    /// so no crash can make a version once seen name another list.
    pub(super) fn fetch_revocation_list(&mut self, held_version: u64) -> RevocationListFetch {
        let version = self.listed_version;
        if held_version >= version {
            return RevocationListFetch::UpToDate { version };
        }
        let list = self.signed_revocation_list();
        RevocationListFetch::Newer { list }
    }

    /// Activates the card and cancels its holder's active card in one record. Idempotent
    /// per card: an active card answers `Activated` with the card its activation cancelled,
    /// from any centre.
    pub(super) fn activate(
        &mut self,
        activation: CardActivation,
    ) -> (ActivationOutcome, Option<RegistryEvent>) {
        let CardActivation {
            resident,
            card,
            centre,
            live_thumbs,
        } = activation;
        let refused = |reason| {
            let event = RegistryEvent::Refused {
                resident,
                card,
                reason,
            };
            (ActivationOutcome::Refused { reason }, Some(event))
        };
        let view = self.cards.view(card);
        let Some((view, issue)) = view.and_then(|view| Some((view, view.issue?))) else {
            return refused(match first_generation_holder(card) {
                Some(_) => ActivationRefusal::UnknownCard,
                None => ActivationRefusal::NotReady,
            });
        };
        if view.resident != resident {
            return refused(ActivationRefusal::NotTheHolder);
        }
        match view.state {
            CardState::Active => {
                let cancelled = issue.activation.expect("an active card was activated");
                return (ActivationOutcome::Activated { cancelled }, None);
            }
            CardState::ReadyAtCentre if issue.centre != centre => {
                return refused(ActivationRefusal::NotReady);
            }
            CardState::ReadyAtCentre => {}
            CardState::Cancelled | CardState::Lost | CardState::Revoked => {
                return refused(ActivationRefusal::Withdrawn);
            }
        }
        let active = self.cards.active_card_of(resident);
        // The planted `CancelInSecondStep` journals the cancellation as a record of its own.
        let split = self.cards.defect() == Some(RegistryDefect::CancelInSecondStep);
        let cancelled = active.filter(|_| !split);
        self.commit(Record::Activated {
            card,
            cancelled,
            live_thumbs,
        });
        if let Some(old) = active.filter(|_| split) {
            self.commit(Record::Revoked { card: old });
        }
        let event = RegistryEvent::Activated {
            resident,
            card,
            cancelled,
            centre,
            live_thumbs,
        };
        (ActivationOutcome::Activated { cancelled }, Some(event))
    }

    /// A lost report (`resident` named) or a revocation: one record, and the event once
    /// durable.
    pub(super) fn withdraw(
        &mut self,
        resident: Option<ResidentId>,
        card: CardId,
        record: Record,
    ) -> WithdrawalOutcome {
        let Some(view) = self.cards.view(card) else {
            return WithdrawalOutcome::UnknownCard;
        };
        if resident.is_some_and(|resident| resident != view.resident) {
            return WithdrawalOutcome::NotTheHolder;
        }
        if view.state.is_withdrawn() {
            let state = view.state;
            return WithdrawalOutcome::AlreadyWithdrawn { state };
        }
        self.commit(record);
        let resident = view.resident;
        let event = match record {
            Record::Lost { .. } => RegistryEvent::CardLost { resident, card },
            _ => RegistryEvent::CardRevoked { resident, card },
        };
        self.durable.hold(None, Some(event));
        WithdrawalOutcome::Withdrawn
    }
}
