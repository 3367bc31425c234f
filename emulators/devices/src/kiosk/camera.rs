//! The camera: at the staffed photo counter (registration's one manual step, domain.md
//! section 2) and, as a variant, on a self-service kiosk that takes the photo itself (the
//! 2023/24 kiosks, "6 photo attempts per applicant").
//!
//! Inputs: the applicant's [`PhotoSession`] (who they are and how many attempts they have
//! used), the time and a stream. Output: an [`Operation`] whose value is a [`PhotoOutcome`]:
//! acceptable, a retake with its reason, or the last allowed attempt failing. Asking for a
//! photo in a session that is over is the caller's mistake and gets a [`PhotoSessionError`].
//! The camera persists nothing but its fault state; the session holds the attempt count.
//!
//! Each attempt needs a retake independently with the probability of the person's group,
//! for a reason drawn by weight. A fault (jam, outage) uses no attempt: no photo was taken.
//!
//! Defaults (assumptions unless marked; no retake rates or per-photo times were published):
//! - Photo counter ([`CameraModel::photo_counter`], the default): retakes 20% of attempts for
//!   most people, 35% for people aged 65 or over, 50% for people who need assistance; an
//!   attempt takes 30-60 s (uniform: the officer poses the resident, takes and checks the
//!   photo). So a typical applicant needs 1.25 attempts, about 56 s, on average.
//! - Self-service kiosk ([`CameraModel::self_service_kiosk`]): retakes 30%, 45% and 60%
//!   (nobody to pose the resident); an attempt takes 20-40 s (automatic capture and check).
//! - Both: at most 6 attempts (published for the 2023/24 kiosks, domain.md section 2, and
//!   assumed at the counter); retake reasons weighted head pose 30%, eyes closed 20%, glare
//!   on glasses 15%, lighting, expression and motion blur 10% each, face obscured 5%; the
//!   camera hangs once in 10,000 attempts and an officer restarts it in 2-5 minutes.

mod model;

pub use model::{
    CameraModel, PHOTO_ATTEMPTS_PUBLISHED, RetakeProbabilities, RetakeReason, RetakeReasonWeights,
    SubjectGroup,
};

use super::fault::DeviceFaults;
use super::operation::Operation;
use super::parameter::ParameterError;
use hkic_base::{DurationDist, SimTime, Stream, bernoulli};
use rand::RngExt;

/// What one photo attempt gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoOutcome {
    /// The photo meets the quality criteria; the session is over.
    Acceptable,
    /// Not acceptable, and attempts are left: take another.
    Retake(RetakeReason),
    /// Not acceptable, and that was the last allowed attempt: the session is over without a
    /// photo (an officer takes over).
    AttemptsExhausted(RetakeReason),
}

/// One applicant's photo-taking: who they are and the attempts they have used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoSession {
    subject: SubjectGroup,
    attempts_taken: u8,
    accepted: bool,
}

impl PhotoSession {
    pub fn new(subject: SubjectGroup) -> PhotoSession {
        PhotoSession {
            subject,
            attempts_taken: 0,
            accepted: false,
        }
    }

    pub fn subject(&self) -> SubjectGroup {
        self.subject
    }

    /// Photos taken so far (attempts that a fault stopped do not count).
    pub fn attempts_taken(&self) -> u8 {
        self.attempts_taken
    }

    pub fn is_accepted(&self) -> bool {
        self.accepted
    }
}

/// Why a camera will not take a photo in a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhotoSessionError {
    #[error("the session already has an acceptable photo")]
    AlreadyAccepted,
    #[error("the session has used all {attempts_max} attempts")]
    NoAttemptsLeft { attempts_max: u8 },
}

/// A camera built from a checked [`CameraModel`].
#[derive(Debug, Clone)]
pub struct Camera {
    retake_probability: RetakeProbabilities,
    /// Running totals of the retake reasons' weights, in the order of [`RetakeReason::ALL`].
    reason_cumulative: [f64; 7],
    attempts_max: u8,
    attempt_time: DurationDist,
    faults: DeviceFaults,
}

impl Camera {
    pub fn new(model: CameraModel) -> Result<Camera, ParameterError> {
        model.check()?;
        let mut reason_cumulative = model.retake_reasons.as_array();
        for index in 1..reason_cumulative.len() {
            reason_cumulative[index] += reason_cumulative[index - 1];
        }
        Ok(Camera {
            retake_probability: model.retake_probability,
            reason_cumulative,
            attempts_max: model.attempts_max,
            attempt_time: model.attempt_time,
            faults: DeviceFaults::new(model.faults)?,
        })
    }

    pub fn attempts_max(&self) -> u8 {
        self.attempts_max
    }

    /// Attempts the session may still make on this camera.
    pub fn attempts_left(&self, session: &PhotoSession) -> u8 {
        if session.accepted {
            return 0;
        }
        self.attempts_max.saturating_sub(session.attempts_taken)
    }

    pub fn faults(&self) -> &DeviceFaults {
        &self.faults
    }

    pub fn faults_mut(&mut self) -> &mut DeviceFaults {
        &mut self.faults
    }

    /// One photo attempt at `now` for `session`, which records it.
    pub fn take_photo(
        &mut self,
        now: SimTime,
        session: &mut PhotoSession,
        stream: &mut Stream,
    ) -> Result<Operation<PhotoOutcome>, PhotoSessionError> {
        if session.accepted {
            return Err(PhotoSessionError::AlreadyAccepted);
        }
        if session.attempts_taken >= self.attempts_max {
            let attempts_max = self.attempts_max;
            return Err(PhotoSessionError::NoAttemptsLeft { attempts_max });
        }
        let started = match self.faults.start(now, stream) {
            Ok(started) => started,
            Err(fault) => return Ok(self.faults.refuse(fault)),
        };
        let duration = started.scale(self.attempt_time.sample(stream));
        let retake_probability = self.retake_probability.for_group(session.subject);
        let retake = bernoulli(stream, retake_probability).then(|| self.draw_reason(stream));
        let retake = match self.faults.finish(retake, duration, stream).result {
            Ok(retake) => retake,
            Err(fault) => return Ok(Operation::failed(fault, duration)),
        };
        session.attempts_taken += 1;
        let outcome = match retake {
            None => {
                session.accepted = true;
                PhotoOutcome::Acceptable
            }
            Some(reason) if session.attempts_taken >= self.attempts_max => {
                PhotoOutcome::AttemptsExhausted(reason)
            }
            Some(reason) => PhotoOutcome::Retake(reason),
        };
        Ok(Operation::succeeded(outcome, duration))
    }

    fn draw_reason(&self, stream: &mut Stream) -> RetakeReason {
        let total = self.reason_cumulative[self.reason_cumulative.len() - 1];
        let point = stream.random::<f64>() * total;
        let index = self
            .reason_cumulative
            .partition_point(|&running| running <= point)
            .min(RetakeReason::ALL.len() - 1);
        RetakeReason::ALL[index]
    }
}
