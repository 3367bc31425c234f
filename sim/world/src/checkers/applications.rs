//! Registration's invariants: a resident has at most one application, and no application a
//! resident was told was accepted is ever lost (SYSTEM.md invariant 4): the registration
//! service made it durable before the counter said "accepted", and the service still holds
//! it, accepted, after every restart.

use std::collections::BTreeMap;

use hkic_services::messages::{AcknowledgementReference, ApplicationId, ResidentId};
use hkic_services::registration::{ApplicationState, RegistrationEvent, RegistrationService};

use super::{Checkers, Violation};

pub const ONE_APPLICATION_PER_RESIDENT: &str = "one-application-per-resident";
pub const ACCEPTED_APPLICATIONS_KEPT: &str = "accepted-applications-kept";

#[derive(Debug, Default)]
pub(super) struct ApplicationChecks {
    opened: BTreeMap<ResidentId, ApplicationId>,
    durable: BTreeMap<ResidentId, AcknowledgementReference>,
    told: BTreeMap<ResidentId, AcknowledgementReference>,
}

impl Checkers {
    /// The registration service made something durable.
    pub fn on_registration_event(&mut self, event: &RegistrationEvent) -> Result<(), Violation> {
        match *event {
            RegistrationEvent::Opened {
                application,
                resident,
                ..
            } => {
                self.count(ONE_APPLICATION_PER_RESIDENT);
                match self.applications.opened.insert(resident, application) {
                    Some(earlier) if earlier != application => Err(Violation {
                        invariant: ONE_APPLICATION_PER_RESIDENT,
                        message: format!(
                            "resident {} has applications {} and {}",
                            resident.0, earlier.0, application.0
                        ),
                    }),
                    _ => Ok(()),
                }
            }
            RegistrationEvent::Accepted {
                resident,
                acknowledgement,
                ..
            } => {
                self.applications.durable.insert(resident, acknowledgement);
                Ok(())
            }
            RegistrationEvent::DuplicateHeld { .. } | RegistrationEvent::Recovered { .. } => Ok(()),
        }
    }

    /// A counter told a resident their application is accepted, with this acknowledgement.
    pub fn on_told_accepted(
        &mut self,
        resident: ResidentId,
        acknowledgement: AcknowledgementReference,
    ) -> Result<(), Violation> {
        self.count(ACCEPTED_APPLICATIONS_KEPT);
        if self.applications.durable.get(&resident) != Some(&acknowledgement) {
            return Err(Violation {
                invariant: ACCEPTED_APPLICATIONS_KEPT,
                message: format!(
                    "resident {} was told application accepted ({}) before it was durable",
                    resident.0, acknowledgement.0
                ),
            });
        }
        match self.applications.told.insert(resident, acknowledgement) {
            Some(earlier) if earlier != acknowledgement => Err(Violation {
                invariant: ACCEPTED_APPLICATIONS_KEPT,
                message: format!(
                    "resident {} was told acknowledgement {}, then {}",
                    resident.0, earlier.0, acknowledgement.0
                ),
            }),
            _ => Ok(()),
        }
    }

    /// After a restart: every application a resident was told was accepted is still there.
    /// What the service rebuilt came from its media, so it is durable, even when the crash
    /// struck before the service announced it.
    pub fn after_registration_recovery(
        &mut self,
        service: &RegistrationService,
    ) -> Result<(), Violation> {
        self.count(ACCEPTED_APPLICATIONS_KEPT);
        for number in 0..service.application_count() as u64 {
            let Some(view) = service.application(ApplicationId(number)) else {
                continue;
            };
            if let (ApplicationState::Accepted, Some(acknowledgement)) =
                (view.state, view.acknowledgement)
            {
                self.applications
                    .durable
                    .insert(view.resident, acknowledgement);
            }
        }
        for (&resident, &acknowledgement) in &self.applications.told {
            let kept = service
                .application_by_acknowledgement(acknowledgement)
                .is_some_and(|view| {
                    view.resident == resident && view.state == ApplicationState::Accepted
                });
            if !kept {
                return Err(Violation {
                    invariant: ACCEPTED_APPLICATIONS_KEPT,
                    message: format!(
                        "resident {}'s accepted application ({}) was lost in a restart",
                        resident.0, acknowledgement.0
                    ),
                });
            }
        }
        Ok(())
    }
}
