//! Fingerprint template matching: 1:1 verification and the 1:N duplicate-search index.
//!
//! Why its own crate: the registration service (duplicate check), the collection kiosk and
//! the e-Channel gate (1:1 against the card's DG3) all decide on fingerprints with the same
//! matcher, and the evaluation measures exactly the matcher they use.
//!
//! Code map: [`template`] prepares ISO/IEC 19794-2 finger views for matching; [`alignment`]
//! finds candidate alignments of two templates, [`likelihood`] refines and scores them, and
//! [`matcher`] puts the two together; [`verification`] fuses the two thumbs and decides;
//! [`index`] is the 1:N duplicate search; [`evaluation`] measures false match and false
//! non-match rates and the DET curve on synthetic residents.
//!
//! Architecture invariant: sans-IO and deterministic. No clock (the caller times
//! comparisons), no randomness except a stream the evaluation derives from its seed, no
//! file (the DET writer takes any `std::io::Write`). The crate knows the ISO/IEC 19794-2
//! types of `hkic-protocol` and nothing of the emulators: the evaluation takes its captures
//! from a function the caller supplies.

pub mod alignment;
pub mod evaluation;
pub mod geometry;
pub mod index;
pub mod likelihood;
pub mod matcher;
pub mod template;
pub mod verification;

pub use evaluation::{
    DetPoint, Evaluation, EvaluationError, EvaluationParameters, evaluate, write_det_csv,
};
pub use index::{
    DuplicateCandidate, DuplicateIndex, IndexBuilder, IndexConfig, IndexError, SearchScratch,
};
pub use matcher::{ComparisonDetail, Matcher, MatcherConfig, Scratch};
pub use template::{Template, TemplateError};
pub use verification::{OPERATING_THRESHOLD, Thumbs, Verification, Verifier, fuse};
