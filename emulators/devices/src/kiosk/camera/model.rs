//! What a camera does, as parameters: how often a photo needs a retake (by kind of person),
//! why, the cap on attempts, and how long an attempt takes. The defaults are documented in
//! [`super`].

use super::super::fault::{FaultModel, clearing_seconds};
use super::super::parameter::{
    OPERATION_MEAN_MAX, ParameterError, check_distribution, check_probability, out_of_range,
    uniform_seconds,
};
use hkic_base::DurationDist;

/// The published cap: "6 photo attempts per applicant" at the 2023/24 self-service kiosks
/// (domain.md section 2).
pub const PHOTO_ATTEMPTS_PUBLISHED: u8 = 6;

/// Who stands in front of the camera, as far as photo quality goes. A person who both is 65
/// or over and needs assistance counts as needing assistance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SubjectGroup {
    Typical,
    Aged65OrOver,
    /// People with a disability or who otherwise need help to pose (domain.md section 1's
    /// caring arrangements).
    NeedsAssistance,
}

/// Why a photo is not acceptable: the portrait quality criteria for identity documents (ICAO
/// Doc 9303 part 3, ISO/IEC 19794-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RetakeReason {
    EyesClosed,
    HeadPose,
    Lighting,
    GlassesGlare,
    Expression,
    MotionBlur,
    FaceObscured,
}

impl RetakeReason {
    /// Every reason, in the order of [`RetakeReasonWeights::as_array`].
    pub const ALL: [RetakeReason; 7] = [
        RetakeReason::EyesClosed,
        RetakeReason::HeadPose,
        RetakeReason::Lighting,
        RetakeReason::GlassesGlare,
        RetakeReason::Expression,
        RetakeReason::MotionBlur,
        RetakeReason::FaceObscured,
    ];
}

/// Probability that one attempt needs a retake, per [`SubjectGroup`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetakeProbabilities {
    pub typical: f64,
    pub aged_65_or_over: f64,
    pub needs_assistance: f64,
}

impl RetakeProbabilities {
    pub fn for_group(&self, group: SubjectGroup) -> f64 {
        match group {
            SubjectGroup::Typical => self.typical,
            SubjectGroup::Aged65OrOver => self.aged_65_or_over,
            SubjectGroup::NeedsAssistance => self.needs_assistance,
        }
    }
}

/// Relative weights of the reasons for a retake (any scale; they need not sum to 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetakeReasonWeights {
    pub eyes_closed: f64,
    pub head_pose: f64,
    pub lighting: f64,
    pub glasses_glare: f64,
    pub expression: f64,
    pub motion_blur: f64,
    pub face_obscured: f64,
}

impl RetakeReasonWeights {
    /// The weights in the order of [`RetakeReason::ALL`].
    pub fn as_array(&self) -> [f64; 7] {
        [
            self.eyes_closed,
            self.head_pose,
            self.lighting,
            self.glasses_glare,
            self.expression,
            self.motion_blur,
            self.face_obscured,
        ]
    }

    fn check(&self) -> Result<(), ParameterError> {
        const FIELDS: [&str; 7] = [
            "eyes_closed",
            "head_pose",
            "lighting",
            "glasses_glare",
            "expression",
            "motion_blur",
            "face_obscured",
        ];
        let mut total = 0.0;
        for (field, weight) in FIELDS.into_iter().zip(self.as_array()) {
            if !weight.is_finite() || weight < 0.0 {
                return Err(out_of_range(field, weight, "a finite weight, not negative"));
            }
            total += weight;
        }
        if !total.is_finite() || total <= 0.0 {
            return Err(out_of_range(
                "total",
                total,
                "a finite, positive sum of weights",
            ));
        }
        Ok(())
    }
}

impl Default for RetakeReasonWeights {
    /// Assumption (no share of reasons was published): head pose most often, then closed
    /// eyes, glare on glasses, and the rest.
    fn default() -> RetakeReasonWeights {
        RetakeReasonWeights {
            eyes_closed: 0.20,
            head_pose: 0.30,
            lighting: 0.10,
            glasses_glare: 0.15,
            expression: 0.10,
            motion_blur: 0.10,
            face_obscured: 0.05,
        }
    }
}

/// Everything a camera does.
#[derive(Debug, Clone)]
pub struct CameraModel {
    pub retake_probability: RetakeProbabilities,
    pub retake_reasons: RetakeReasonWeights,
    /// Attempts per applicant before the camera gives up (at least 1).
    pub attempts_max: u8,
    /// One attempt: posing, the capture and the quality check.
    pub attempt_time: DurationDist,
    pub faults: FaultModel,
}

impl CameraModel {
    /// The staffed photo counter's camera: an officer poses the resident and checks the photo.
    pub fn photo_counter() -> CameraModel {
        CameraModel {
            retake_probability: RetakeProbabilities {
                typical: 0.20,
                aged_65_or_over: 0.35,
                needs_assistance: 0.50,
            },
            retake_reasons: RetakeReasonWeights::default(),
            attempts_max: PHOTO_ATTEMPTS_PUBLISHED,
            attempt_time: uniform_seconds(30, 60),
            faults: camera_faults(),
        }
    }

    /// A self-service kiosk's camera (the 2023/24 kiosks): no officer to pose the resident,
    /// so more retakes, but a quicker automatic capture and check.
    pub fn self_service_kiosk() -> CameraModel {
        CameraModel {
            retake_probability: RetakeProbabilities {
                typical: 0.30,
                aged_65_or_over: 0.45,
                needs_assistance: 0.60,
            },
            retake_reasons: RetakeReasonWeights::default(),
            attempts_max: PHOTO_ATTEMPTS_PUBLISHED,
            attempt_time: uniform_seconds(20, 40),
            faults: camera_faults(),
        }
    }

    pub fn check(&self) -> Result<(), ParameterError> {
        let probabilities = self.retake_probability;
        let groups = [
            ("typical", probabilities.typical),
            ("aged_65_or_over", probabilities.aged_65_or_over),
            ("needs_assistance", probabilities.needs_assistance),
        ];
        for (group, probability) in groups {
            check_probability(group, probability)
                .map_err(|error| error.within("retake_probability"))?;
        }
        self.retake_reasons
            .check()
            .map_err(|error| error.within("retake_reasons"))?;
        if self.attempts_max == 0 {
            return Err(out_of_range("attempts_max", 0.0, "at least 1 attempt"));
        }
        check_distribution("attempt_time", &self.attempt_time, OPERATION_MEAN_MAX)?;
        self.faults.check().map_err(|error| error.within("faults"))
    }
}

impl Default for CameraModel {
    /// The photo counter's camera: the one manual step of registration (domain.md section 2).
    fn default() -> CameraModel {
        CameraModel::photo_counter()
    }
}

/// Assumption: the camera or its software hangs once in 10,000 attempts and an officer
/// restarts it in 2-5 minutes.
fn camera_faults() -> FaultModel {
    FaultModel::occasional(0.0001, clearing_seconds(120, 300))
}
