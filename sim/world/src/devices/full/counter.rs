//! The photo counter's camera: one photo session per resident's visit.

use hkic_base::SimTime;
use hkic_devices::kiosk::{PhotoOutcome, PhotoSession, SubjectGroup};
use hkic_services::messages::BiometricDigest;
use hkic_terminals::devices::PhotoCapture;
use rand::RngExt;

use super::stations::device_fault;
use super::{FullDevices, station};
use crate::devices::{Answer, Subject};
use crate::population::age_on;

/// From this age a resident counts as aged for the camera's retakes.
const AGED_YEARS: u32 = 65;

impl FullDevices {
    pub(super) fn take_photo(
        &mut self,
        now: SimTime,
        counter: u16,
        subject: &Subject,
        attempt: u8,
    ) -> Answer<PhotoCapture> {
        let mut operation = self.operation_stream(subject);
        let group = if subject.needs_assistance {
            SubjectGroup::NeedsAssistance
        } else if age_on(subject.born, now.date()) >= AGED_YEARS {
            SubjectGroup::Aged65OrOver
        } else {
            SubjectGroup::Typical
        };
        let devices = station(&mut self.counters, counter);
        let camera = &mut devices.camera;
        if let Some(refused) = camera.refuse(now, PhotoCapture::Fault) {
            return refused;
        }
        // A visit's first photo, or a session the camera has closed, starts a new session:
        // how many photos to take is the counter's decision.
        let (_, mut session) = devices
            .photo
            .take()
            .filter(|(resident, session)| {
                *resident == subject.resident
                    && attempt > 1
                    && camera.device.attempts_left(session) > 0
            })
            .unwrap_or((subject.resident, PhotoSession::new(group)));
        let taken = camera
            .device
            .take_photo(now, &mut session, &mut operation)
            .expect("a session with attempts left takes a photo");
        devices.photo = Some((subject.resident, session));
        let outcome = match taken.result {
            Ok(outcome) => PhotoCapture::Taken {
                photo: BiometricDigest(operation.random()),
                acceptable: outcome == PhotoOutcome::Acceptable,
            },
            Err(fault) => PhotoCapture::Fault(device_fault(fault)),
        };
        let after = taken.duration;
        Answer { after, outcome }
    }
}
