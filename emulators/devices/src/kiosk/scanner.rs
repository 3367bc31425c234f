//! The QR and document scanner of the tag-issuing, registration and collection kiosks: the
//! resident shows the booking or e-form QR code (on a phone or on paper), the
//! acknowledgement QR code at collection, or lays a document on the glass.
//!
//! Inputs: where the code is shown ([`ScanSource`]), the payload the resident actually
//! presents (the simulator knows it; the kiosk software does not), the time and a stream.
//! Output: an [`Operation`] whose value is a [`ScanRead`]: the decoded payload or no read.
//! A misread is a decoded payload that differs from the presented one (one byte changed): the
//! kiosk cannot tell, so it must validate what it reads (a check digit, the service's answer);
//! the simulator can tell by comparing. Persists nothing but its fault state.
//!
//! Defaults, all assumptions (no per-step kiosk timings were published, domain.md section 2;
//! only the whole visit, under 30 minutes):
//! - QR on a phone: read in 3-5 s (uniform; bringing up the code and holding it under the
//!   imager), no read 5% of the time (screen glare, brightness, a cracked screen), misread
//!   0.01% (QR error correction makes a wrong decode rare).
//! - QR on paper: read in 2-4 s, no read 3% (creased or faded print), misread 0.01%.
//! - Document on the glass: read in 8-15 s (placing it, imaging, recognising the text), no
//!   read 5% (placed crooked, folded), misread 1% (a character recognised wrongly).
//! - A no read ends when the scan window closes: 8-12 s for a QR code, 10-20 s for a document.
//! - Faults: [`FaultModel::occasional`] with a jam (a hung imager, a stuck feeder) once in
//!   10,000 scans, cleared by an officer in 1-3 minutes.

use super::fault::{DeviceFaults, FaultModel, clearing_seconds};
use super::operation::Operation;
use super::parameter::{
    OPERATION_MEAN_MAX, ParameterError, check_distribution, check_probability, out_of_range,
    uniform_seconds,
};
use hkic_base::{DurationDist, SimTime, Stream};
use rand::RngExt;

/// Where the code or document is shown to the scanner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ScanSource {
    QrOnPhone,
    QrOnPaper,
    Document,
}

/// What a scan gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanRead {
    /// A payload was decoded: the presented one, or after a misread a slightly different one.
    Decoded(Vec<u8>),
    /// Nothing could be decoded before the scan window closed: ask the resident to try again.
    NoRead,
}

/// How scans from one source go.
#[derive(Debug, Clone)]
pub struct ScanProfile {
    pub no_read_probability: f64,
    /// Probability of decoding a wrong payload (exclusive of a no read).
    pub misread_probability: f64,
    /// How long a scan that decodes something takes.
    pub read_time: DurationDist,
    /// How long a scan that decodes nothing takes (the scan window).
    pub no_read_time: DurationDist,
}

/// Everything a scanner does.
#[derive(Debug, Clone)]
pub struct ScannerModel {
    pub qr_on_phone: ScanProfile,
    pub qr_on_paper: ScanProfile,
    pub document: ScanProfile,
    pub faults: FaultModel,
}

impl Default for ScannerModel {
    /// The defaults of the module documentation.
    fn default() -> ScannerModel {
        ScannerModel {
            qr_on_phone: ScanProfile {
                no_read_probability: 0.05,
                misread_probability: 0.0001,
                read_time: uniform_seconds(3, 5),
                no_read_time: uniform_seconds(8, 12),
            },
            qr_on_paper: ScanProfile {
                no_read_probability: 0.03,
                misread_probability: 0.0001,
                read_time: uniform_seconds(2, 4),
                no_read_time: uniform_seconds(8, 12),
            },
            document: ScanProfile {
                no_read_probability: 0.05,
                misread_probability: 0.01,
                read_time: uniform_seconds(8, 15),
                no_read_time: uniform_seconds(10, 20),
            },
            faults: FaultModel::occasional(0.0001, clearing_seconds(60, 180)),
        }
    }
}

impl ScanProfile {
    fn check(&self) -> Result<(), ParameterError> {
        check_probability("no_read_probability", self.no_read_probability)?;
        check_probability("misread_probability", self.misread_probability)?;
        let either = self.no_read_probability + self.misread_probability;
        if either > 1.0 {
            let expected = "no_read_probability + misread_probability at most 1";
            return Err(out_of_range("misread_probability", either, expected));
        }
        check_distribution("read_time", &self.read_time, OPERATION_MEAN_MAX)?;
        check_distribution("no_read_time", &self.no_read_time, OPERATION_MEAN_MAX)
    }
}

impl ScannerModel {
    pub fn check(&self) -> Result<(), ParameterError> {
        let profiles = [
            ("qr_on_phone", &self.qr_on_phone),
            ("qr_on_paper", &self.qr_on_paper),
            ("document", &self.document),
        ];
        for (name, profile) in profiles {
            profile.check().map_err(|error| error.within(name))?;
        }
        self.faults.check().map_err(|error| error.within("faults"))
    }
}

/// A QR and document scanner.
#[derive(Debug, Clone)]
pub struct Scanner {
    qr_on_phone: ScanProfile,
    qr_on_paper: ScanProfile,
    document: ScanProfile,
    faults: DeviceFaults,
}

impl Scanner {
    pub fn new(model: ScannerModel) -> Result<Scanner, ParameterError> {
        model.check()?;
        Ok(Scanner {
            qr_on_phone: model.qr_on_phone,
            qr_on_paper: model.qr_on_paper,
            document: model.document,
            faults: DeviceFaults::new(model.faults)?,
        })
    }

    pub fn faults(&self) -> &DeviceFaults {
        &self.faults
    }

    pub fn faults_mut(&mut self) -> &mut DeviceFaults {
        &mut self.faults
    }

    /// One scan at `now` of `presented`, shown as `source`.
    pub fn scan(
        &mut self,
        now: SimTime,
        source: ScanSource,
        presented: &[u8],
        stream: &mut Stream,
    ) -> Operation<ScanRead> {
        let started = match self.faults.start(now, stream) {
            Ok(started) => started,
            Err(fault) => return self.faults.refuse(fault),
        };
        let profile = match source {
            ScanSource::QrOnPhone => &self.qr_on_phone,
            ScanSource::QrOnPaper => &self.qr_on_paper,
            ScanSource::Document => &self.document,
        };
        let draw: f64 = stream.random();
        let (read, duration) = if draw < profile.no_read_probability {
            (ScanRead::NoRead, profile.no_read_time.sample(stream))
        } else if draw < profile.no_read_probability + profile.misread_probability {
            let misread = misread(presented, stream);
            (ScanRead::Decoded(misread), profile.read_time.sample(stream))
        } else {
            (
                ScanRead::Decoded(presented.to_vec()),
                profile.read_time.sample(stream),
            )
        };
        self.faults.finish(read, started.scale(duration), stream)
    }
}

/// `presented` with one byte changed (a single random byte if there was nothing to change).
fn misread(presented: &[u8], stream: &mut Stream) -> Vec<u8> {
    let mut decoded = presented.to_vec();
    let change: u8 = stream.random_range(1..=u8::MAX);
    if decoded.is_empty() {
        decoded.push(change);
    } else {
        let index = stream.random_range(0..decoded.len());
        decoded[index] ^= change;
    }
    decoded
}
