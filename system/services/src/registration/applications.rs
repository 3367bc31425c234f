//! The applications the registration service holds and the indexes its rules read. State
//! changes only through [`Applications::apply`], on decision and on recovery alike, and
//! `apply` refuses a record that contradicts the state: the same check guards what the
//! service decides and what it reads back from its media.

use std::collections::{BTreeMap, BTreeSet};

use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::records::Record;
use crate::messages::{
    AcknowledgementReference, ApplicationId, BiometricDigest, CardId, CentreId, ResidentId,
};

/// Where an application stands. A held application stays held: the investigation of a
/// suspected duplicate happens outside this service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApplicationState {
    Open,
    Held,
    Accepted,
}

/// What the service knows of one application, for the services and checkers that read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApplicationView {
    pub application: ApplicationId,
    pub resident: ResidentId,
    pub centre: CentreId,
    pub old_card: CardId,
    pub thumbs: BiometricDigest,
    pub state: ApplicationState,
    /// Set once accepted.
    pub acknowledgement: Option<AcknowledgementReference>,
    /// Set once accepted: with the thumbs, what production needs to personalise the card.
    pub photo: Option<BiometricDigest>,
    /// Production acknowledged the card order (accepted applications only).
    pub handed_to_production: bool,
}

#[derive(Clone, Copy, Debug)]
enum Stage {
    Open,
    Held,
    Accepted {
        acknowledgement: AcknowledgementReference,
        photo: BiometricDigest,
    },
}

/// Fixed-size: no strings or boxes, so memory per application is known and small.
#[derive(Clone, Copy, Debug)]
struct Application {
    resident: ResidentId,
    centre: CentreId,
    old_card: CardId,
    thumbs: BiometricDigest,
    stage: Stage,
}

/// Seeds tried for a fresh acknowledgement. For one key, xxh3 of an 8-byte input is a
/// bijection of u64, so the first seed never collides; later ones only matter when the key
/// changed across restarts and a new reference meets one derived under the old key.
const ACKNOWLEDGEMENT_PROBES: u64 = 8;

#[derive(Debug, Default)]
pub(super) struct Applications {
    /// Indexed by `ApplicationId`: numbers are dense, from 0.
    applications: Vec<Application>,
    by_resident: BTreeMap<ResidentId, ApplicationId>,
    /// The old card each application names: one card opens one resident's application.
    by_old_card: BTreeMap<CardId, ResidentId>,
    /// The thumbs of accepted applications: the duplicate check's index.
    enrolled: BTreeMap<BiometricDigest, ResidentId>,
    by_acknowledgement: BTreeMap<AcknowledgementReference, ApplicationId>,
    /// Accepted applications whose card order production has not acknowledged.
    awaiting_production: BTreeSet<ApplicationId>,
}

impl Applications {
    pub(super) fn len(&self) -> usize {
        self.applications.len()
    }

    pub(super) fn next_id(&self) -> ApplicationId {
        ApplicationId(self.applications.len() as u64)
    }

    pub(super) fn of_resident(&self, resident: ResidentId) -> Option<ApplicationId> {
        self.by_resident.get(&resident).copied()
    }

    /// The resident whose application names `card`, if any.
    pub(super) fn card_holder(&self, card: CardId) -> Option<ResidentId> {
        self.by_old_card.get(&card).copied()
    }

    /// The resident whose accepted application enrolled `thumbs`, if any.
    pub(super) fn enrolled_by(&self, thumbs: BiometricDigest) -> Option<ResidentId> {
        self.enrolled.get(&thumbs).copied()
    }

    /// Accepted applications whose card order production has not acknowledged, in order.
    pub(super) fn awaiting_production(&self) -> impl Iterator<Item = ApplicationId> + '_ {
        self.awaiting_production.iter().copied()
    }

    pub(super) fn awaiting_production_len(&self) -> usize {
        self.awaiting_production.len()
    }

    pub(super) fn is_awaiting_production(&self, application: ApplicationId) -> bool {
        self.awaiting_production.contains(&application)
    }

    pub(super) fn view(&self, application: ApplicationId) -> Option<ApplicationView> {
        let index = usize::try_from(application.0).ok()?;
        let stored = self.applications.get(index)?;
        let (state, acknowledgement, photo) = match stored.stage {
            Stage::Open => (ApplicationState::Open, None, None),
            Stage::Held => (ApplicationState::Held, None, None),
            Stage::Accepted {
                acknowledgement,
                photo,
            } => (
                ApplicationState::Accepted,
                Some(acknowledgement),
                Some(photo),
            ),
        };
        Some(ApplicationView {
            application,
            resident: stored.resident,
            centre: stored.centre,
            old_card: stored.old_card,
            thumbs: stored.thumbs,
            state,
            acknowledgement,
            photo,
            handed_to_production: state == ApplicationState::Accepted
                && !self.awaiting_production.contains(&application),
        })
    }

    pub(super) fn by_acknowledgement(
        &self,
        acknowledgement: AcknowledgementReference,
    ) -> Option<ApplicationView> {
        let application = *self.by_acknowledgement.get(&acknowledgement)?;
        self.view(application)
    }

    /// The acknowledgement to give `application` on acceptance: keyed, so that nobody can
    /// work it out from the application number, and deterministic, so that a replay gives
    /// the same slips.
    pub(super) fn fresh_acknowledgement(
        &self,
        application: ApplicationId,
        key: u64,
    ) -> AcknowledgementReference {
        (0..ACKNOWLEDGEMENT_PROBES)
            .map(|probe| {
                let seed = key.wrapping_add(probe);
                AcknowledgementReference(xxh3_64_with_seed(&application.0.to_le_bytes(), seed))
            })
            .find(|candidate| !self.by_acknowledgement.contains_key(candidate))
            .expect("a free acknowledgement within the probes")
    }

    /// Applies a record, or says what it contradicts (and changes nothing).
    pub(super) fn apply(&mut self, record: Record) -> Result<(), &'static str> {
        match record {
            Record::Opened {
                application,
                resident,
                centre,
                old_card,
                thumbs,
                ..
            } => {
                if application != self.next_id() {
                    return Err("an opening's application number is not the next one");
                }
                if self.by_resident.contains_key(&resident) {
                    return Err("an opening names a resident who has an application");
                }
                if self.by_old_card.contains_key(&old_card) {
                    return Err("an opening names an old card another application names");
                }
                self.applications.push(Application {
                    resident,
                    centre,
                    old_card,
                    thumbs,
                    stage: Stage::Open,
                });
                self.by_resident.insert(resident, application);
                self.by_old_card.insert(old_card, resident);
            }
            Record::Held {
                application,
                enrolled_by,
            } => {
                let stored = self.open_mut(application)?;
                let (resident, thumbs) = (stored.resident, stored.thumbs);
                if resident == enrolled_by || self.enrolled_by(thumbs) != Some(enrolled_by) {
                    return Err("a hold names a resident who did not enrol its thumbs");
                }
                self.open_mut(application)?.stage = Stage::Held;
            }
            Record::Accepted {
                application,
                photo,
                acknowledgement,
                ..
            } => {
                let stored = self.open_mut(application)?;
                let (resident, thumbs) = (stored.resident, stored.thumbs);
                if self.enrolled.contains_key(&thumbs) {
                    return Err("an acceptance enrols thumbs another resident enrolled");
                }
                if self.by_acknowledgement.contains_key(&acknowledgement) {
                    return Err("an acceptance reuses another application's acknowledgement");
                }
                self.open_mut(application)?.stage = Stage::Accepted {
                    acknowledgement,
                    photo,
                };
                self.enrolled.insert(thumbs, resident);
                self.by_acknowledgement.insert(acknowledgement, application);
                self.awaiting_production.insert(application);
            }
            Record::HandedOff { application } => {
                if !self.awaiting_production.remove(&application) {
                    return Err("a hand-off names no accepted application awaiting production");
                }
            }
        }
        Ok(())
    }

    fn open_mut(&mut self, application: ApplicationId) -> Result<&mut Application, &'static str> {
        let stored = usize::try_from(application.0)
            .ok()
            .and_then(|index| self.applications.get_mut(index));
        match stored {
            Some(stored) if matches!(stored.stage, Stage::Open) => Ok(stored),
            _ => Err("a hold or acceptance names no open application"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::{EFormReference, IdentityEvidence, OfficerId};

    fn opening(number: u64) -> Record {
        Record::Opened {
            application: ApplicationId(number),
            resident: ResidentId(number as u32),
            centre: CentreId(0),
            old_card: CardId(number),
            eform: EFormReference(number),
            identity: IdentityEvidence::KioskThumbs,
            thumbs: BiometricDigest(number),
        }
    }

    #[test]
    fn an_application_stays_small() {
        assert!(
            size_of::<Application>() <= 48,
            "{}",
            size_of::<Application>()
        );
    }

    #[test]
    fn acknowledgements_depend_on_the_key_and_never_collide_for_one_key() {
        let applications = Applications::default();
        let of = |number, key| applications.fresh_acknowledgement(ApplicationId(number), key);
        assert_ne!(of(1, 7), of(1, 8));
        assert_ne!(of(1, 7).0, 1);
        let mut seen: Vec<_> = (0..10_000).map(|number| of(number, 7)).collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 10_000);
    }

    #[test]
    fn a_reference_taken_under_an_earlier_key_is_not_given_again() {
        let mut applications = Applications::default();
        applications.apply(opening(0)).unwrap();
        applications.apply(opening(1)).unwrap();
        // Application 0 was accepted under another key, with what application 1 would get.
        let taken = applications.fresh_acknowledgement(ApplicationId(1), 7);
        let acceptance = Record::Accepted {
            application: ApplicationId(0),
            photo: BiometricDigest(0),
            officer: OfficerId(0),
            acknowledgement: taken,
        };
        applications.apply(acceptance).unwrap();
        let fresh = applications.fresh_acknowledgement(ApplicationId(1), 7);
        assert_ne!(fresh, taken);
        let found = applications.by_acknowledgement(taken).unwrap();
        assert_eq!(found.application, ApplicationId(0));
    }
}
