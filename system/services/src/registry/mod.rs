//! The card registry: every person's cards and their lifecycle, collection of new cards at
//! the centres' kiosks, lost-card reports, and the versioned revocation list.
//!
//! Inputs: `CardDispatchRequest` (from production), `CollectionLookupRequest` and
//! `ActivationRequest` (from collection kiosks) and `RevocationListRequest` (from gates and
//! verifiers) messages, others ignored; disk completions;
//! and two calls of the internal API (no message types exist for them yet):
//! [`RegistryService::report_lost`] and [`RegistryService::revoke`].
//! Outputs: replies, journal disk requests, and [`RegistryEvent`]s.
//!
//! Persists: every dispatch, activation and withdrawal, in its [`Journal`], before anybody
//! is told about it. A reply (even a refusal or a read-only lookup) and the event it reveals
//! are released only once every record appended before it is durable, so no answer ever
//! depends on state a crash could lose; the revocation list it hands out is always the
//! durable one, so a list version, once seen, never names a different list.
//!
//! Cards: resident `r`'s first-generation card is `CardId(r)`, active unless a record
//! withdrew it (no record per resident). New cards are numbered from [`FIRST_NEW_CARD`] up;
//! the registry first hears of one at its dispatch (`ReadyAtCentre` at the order's centre),
//! then `Active` at collection, and `Cancelled`, `Lost` or `Revoked` for good.
//!
//! Invariants it keeps (SYSTEM.md 1 and 3):
//! - a person never holds two active cards;
//! - activation cancels the holder's active card (the old one) in the same journal record,
//!   so after any crash either both happened or neither;
//! - an application collects one card: of two dispatched cards of one application the
//!   higher-numbered (the later made) is kept and the other revoked, unless one was already
//!   activated, which is kept (the rule is `Cards::placement`'s);
//! - every cancelled, lost or revoked card is on the revocation list, and every addition
//!   bumps the list's version;
//! - the list handed out is signed with the configured key ([`revocation_list`] says why a
//!   bare ECDSA signature), each version once, and a version once handed out names the same
//!   list for good.
//!
//! Answers the registry cannot give honestly: it learns an acknowledgement only with its
//! card's dispatch, so an acknowledgement it does not know may belong to an application
//! whose card is still being made: it answers `NotReady`, never `Unknown`. Likewise an
//! activation of an unknown new-card number answers `NotReady` (not dispatched yet);
//! `UnknownCard` is kept for numbers no new card can have (first-generation ones).
//!
//! What it does not check: an activation's live thumbs are journaled for the audit trail,
//! not compared (a live capture's digest never equals the enrolled one; the kiosk matched
//! them against DG3, invariant 2). An order's `old_card` is not read either: activation
//! cancels the card the registry knows to be the holder's active one.
//!
//! [`Journal`]: crate::journal::Journal

mod cards;
mod decisions;
mod defects;
mod records;
pub mod revocation_list;

use std::collections::VecDeque;
use std::sync::Arc;

use hkic_base::SimTime;

pub use crate::records::MalformedRecord;
pub use cards::{
    CardState, CardView, FIRST_NEW_CARD, Issue, first_generation_card, first_generation_holder,
};
pub use revocation_list::{
    ListedCard, RevocationList, RevocationListError, RevocationListSigningKey,
    RevocationListVerifyingKey, SignedRevocationList,
};

pub use defects::RegistryDefect;

use cards::Cards;
use records::Record;

use crate::durable::{Durable, recovered_event};
use crate::io::{Address, FileNumber, Input, Output};
use crate::messages::{
    AcknowledgementReference, ActivationRefusal, ApplicationId, BiometricDigest, CardId, CentreId,
    Message, ResidentId,
};
use crate::records::{JournalRecord, replay};

/// The journal's file on the service's disk.
pub const JOURNAL_FILE: FileNumber = FileNumber(0);

/// The registry's rules are fixed; what it is given is the key it signs revocation lists
/// with (from the issuer's trust material; gates and verifiers hold its public half), and,
/// only in the simulator's planted-bug runs, a defect.
#[derive(Clone, Debug)]
pub struct RegistryConfig {
    pub revocation_list_key: RevocationListSigningKey,
    /// Always `None` but in runs that prove the checkers fire (see [`RegistryDefect`]).
    pub defect: Option<RegistryDefect>,
}

/// What observers learn, once it is durable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistryEvent {
    /// A dispatched card is ready at its centre; `withdrawn` is the application's earlier
    /// card it replaced (revoked).
    CardReady {
        card: CardId,
        resident: ResidentId,
        application: ApplicationId,
        acknowledgement: AcknowledgementReference,
        centre: CentreId,
        withdrawn: Option<CardId>,
    },
    /// A dispatched card revoked on arrival: its application collects `kept`.
    CardWithdrawn {
        card: CardId,
        resident: ResidentId,
        application: ApplicationId,
        kept: CardId,
    },
    /// The card is active and `cancelled` (the holder's active card until now) cancelled.
    Activated {
        resident: ResidentId,
        card: CardId,
        cancelled: Option<CardId>,
        centre: CentreId,
        live_thumbs: BiometricDigest,
    },
    /// An activation refused (every refusal, repeats included).
    Refused {
        resident: ResidentId,
        card: CardId,
        reason: ActivationRefusal,
    },
    CardLost {
        resident: ResidentId,
        card: CardId,
    },
    CardRevoked {
        resident: ResidentId,
        card: CardId,
    },
    /// The durable revocation list reached this version.
    RevocationListUpdated {
        version: u64,
    },
    /// A dispatch the registry cannot take (production's bug): it gets no reply.
    DispatchRefused {
        card: CardId,
        application: ApplicationId,
        problem: &'static str,
    },
    /// Rebuilt from the media. Records that reached the media unverified before the crash
    /// are recovered without their events ever having been released: observers re-read the
    /// state (and the revocation list) after this event.
    Recovered {
        records: u64,
        duplicates: u64,
        orphaned: u64,
        skipped_bytes: u64,
    },
}

recovered_event!(RegistryEvent);

/// The outcome of [`RegistryService::report_lost`] and [`RegistryService::revoke`]: the
/// decision; the card is on the durable list once its `CardLost` or `CardRevoked` event
/// comes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WithdrawalOutcome {
    Withdrawn,
    /// Cancelled, lost or revoked already: it is on the list; nothing changes.
    AlreadyWithdrawn {
        state: CardState,
    },
    /// No card has this number (a new-card number never dispatched).
    UnknownCard,
    NotTheHolder,
}

#[derive(Debug)]
pub struct RegistryService {
    cards: Cards,
    /// The journal, the replies and events held until it is durable, and the outputs.
    durable: Durable<RegistryEvent>,
    /// Records that bumped the list's version and are not durable yet: (sequence, version).
    unlisted: VecDeque<(u64, u64)>,
    /// The durable list's version: what [`RegistryService::revocation_list`] hands out.
    listed_version: u64,
    revocation_list_key: RevocationListSigningKey,
    /// The last version signed, so each version is signed once however many fetch it.
    signed: Option<(u64, Arc<SignedRevocationList>)>,
}

impl RegistryService {
    pub fn new(config: RegistryConfig) -> RegistryService {
        RegistryService {
            cards: Cards::new(config.defect),
            durable: Durable::new(JOURNAL_FILE),
            unlisted: VecDeque::new(),
            listed_version: 0,
            revocation_list_key: config.revocation_list_key,
            signed: None,
        }
    }

    /// Rebuilds the service from its journal's media after a crash.
    pub fn recover(
        config: RegistryConfig,
        media: &[u8],
    ) -> Result<RegistryService, MalformedRecord> {
        let (durable, records) = Durable::recover(JOURNAL_FILE, media);
        let mut service = RegistryService {
            durable,
            ..RegistryService::new(config)
        };
        let cards = &mut service.cards;
        replay(&records, |record| cards.apply(record))?;
        service.listed_version = service.cards.version();
        Ok(service)
    }

    /// The registry's rules do not depend on time; `now` is taken for the shape every
    /// service shares.
    pub fn handle_input(&mut self, _now: SimTime, input: Input) {
        if let Some((from, message)) = self.durable.receive(input) {
            self.handle_message(from, message);
        }
        self.pump();
    }

    pub fn poll_output(&mut self) -> Option<Output<RegistryEvent>> {
        self.durable.poll_output()
    }

    /// The card with that number, as far as this incarnation knows (an answer about it may
    /// still be waiting for the journal). Every first-generation number is a card.
    pub fn card(&self, card: CardId) -> Option<CardView> {
        self.cards.view(card)
    }

    /// The card an acknowledgement collects, once one was dispatched.
    pub fn card_by_acknowledgement(
        &self,
        acknowledgement: AcknowledgementReference,
    ) -> Option<CardView> {
        self.cards.collecting(acknowledgement)
    }

    /// The resident's active cards (a checker's view: more than one breaks invariant 1).
    pub fn active_cards_of(&self, resident: ResidentId) -> Vec<CardId> {
        self.cards.active_cards_of(resident)
    }

    /// New cards dispatched so far.
    pub fn new_card_count(&self) -> usize {
        self.cards.new_card_count()
    }

    /// The durable revocation list, sorted by card number.
    pub fn revocation_list(&self) -> RevocationList {
        self.cards.revocation_list(self.listed_version)
    }

    /// The durable revocation list, signed: what a fetch hands out.
    pub fn signed_revocation_list(&mut self) -> Arc<SignedRevocationList> {
        let version = self.listed_version;
        if let Some((_, signed)) = self.signed.as_ref().filter(|(at, _)| *at == version) {
            return Arc::clone(signed);
        }
        let list = self.revocation_list();
        let signed = Arc::new(SignedRevocationList::sign(&list, &self.revocation_list_key));
        self.signed = Some((version, Arc::clone(&signed)));
        signed
    }

    /// A card reported lost by its holder: it is withdrawn and goes on the revocation list.
    /// The holder then has no active card, so a replacement activates cancelling nothing.
    pub fn report_lost(&mut self, resident: ResidentId, card: CardId) -> WithdrawalOutcome {
        let outcome = self.withdraw(Some(resident), card, Record::Lost { card });
        self.pump();
        outcome
    }

    /// An officer's revocation of any card, ready or active, old or new.
    pub fn revoke(&mut self, card: CardId) -> WithdrawalOutcome {
        let outcome = self.withdraw(None, card, Record::Revoked { card });
        self.pump();
        outcome
    }

    fn handle_message(&mut self, from: Address, message: Message) {
        let Some((reply, event)) = self.answer(message) else {
            return;
        };
        self.durable.hold(reply.map(|reply| (from, reply)), event);
    }

    /// Decides a request: its reply (none for a dispatch it cannot take), and the event it
    /// reveals once durable. `None` for messages not addressed to the registry.
    fn answer(&mut self, message: Message) -> Option<(Option<Message>, Option<RegistryEvent>)> {
        let answer = match message {
            Message::CardDispatchRequest { dispatch } => self.dispatch(dispatch),
            Message::CollectionLookupRequest {
                acknowledgement,
                centre,
            } => {
                let outcome = self.lookup(acknowledgement, centre);
                let reply = Message::CollectionLookupReply {
                    acknowledgement,
                    outcome,
                };
                (Some(reply), None)
            }
            Message::RevocationListRequest { held_version } => {
                let outcome = self.fetch_revocation_list(held_version);
                (Some(Message::RevocationListReply { outcome }), None)
            }
            Message::ActivationRequest { activation } => {
                let (outcome, event) = self.activate(activation);
                let reply = Message::ActivationReply {
                    resident: activation.resident,
                    card: activation.card,
                    outcome,
                };
                (Some(reply), event)
            }
            // Not addressed to this service: a stray message changes nothing.
            _ => return None,
        };
        Some(answer)
    }

    /// Moves disk requests, every reply and event whose dependencies are durable, and the
    /// list's durable version to the outputs.
    fn pump(&mut self) {
        self.durable.pump();
        let mut version = self.listed_version;
        while let Some(&(sequence, bumped_to)) = self.unlisted.front() {
            if !self.durable.is_durable(sequence) {
                break;
            }
            version = bumped_to;
            self.unlisted.pop_front();
        }
        if version != self.listed_version {
            assert!(version > self.listed_version, "list versions only increase");
            self.listed_version = version;
            let event = RegistryEvent::RevocationListUpdated { version };
            self.durable.push(Output::Event(event));
        }
    }

    /// Applies a decided record and journals it. A record the state refuses is a bug in the
    /// decision, not bad input: it stops the service before it reaches the journal.
    fn commit(&mut self, record: Record) {
        let version = self.cards.version();
        if let Err(problem) = self.cards.apply(record) {
            panic!("the registry decided a record that contradicts its state: {problem}");
        }
        let sequence = self.durable.append(&record.encode());
        if self.cards.version() != version {
            self.unlisted.push_back((sequence, self.cards.version()));
        }
    }
}

#[cfg(test)]
mod crash_points;
#[cfg(test)]
mod properties;
#[cfg(test)]
mod recovery_tests;
#[cfg(test)]
mod revocation_tests;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
