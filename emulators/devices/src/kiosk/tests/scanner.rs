//! The scanner's read, no-read and misread shares and its times.

use super::device::quiet_faults;
use super::{assert_mean, assert_share, opening, seconds, uniform};
use crate::kiosk::*;
use hkic_base::{SimDuration, seed_stream};

fn profile(no_read: f64, misread: f64, read: (u64, u64), no_read_time: (u64, u64)) -> ScanProfile {
    ScanProfile {
        no_read_probability: no_read,
        misread_probability: misread,
        read_time: uniform(read.0, read.1),
        no_read_time: uniform(no_read_time.0, no_read_time.1),
    }
}

/// Distinct figures per source, so that a scanner using the wrong profile fails.
fn distinct_model() -> ScannerModel {
    ScannerModel {
        qr_on_phone: profile(0.10, 0.02, (3, 5), (8, 12)),
        qr_on_paper: profile(0.04, 0.005, (2, 4), (6, 8)),
        document: profile(0.20, 0.05, (8, 15), (10, 20)),
        faults: quiet_faults(),
    }
}

#[test]
fn outcomes_and_times_follow_each_source_profile() {
    let model = distinct_model();
    let cases = [
        (ScanSource::QrOnPhone, model.qr_on_phone.clone()),
        (ScanSource::QrOnPaper, model.qr_on_paper.clone()),
        (ScanSource::Document, model.document.clone()),
    ];
    let mut scanner = Scanner::new(model).unwrap();
    let mut stream = seed_stream(11);
    let presented = b"HKIC-EFORM-2019-000123".as_slice();
    for (source, profile) in cases {
        let (mut read_times, mut no_read_times, mut misreads) = (Vec::new(), Vec::new(), 0);
        let trials = 100_000;
        for _ in 0..trials {
            let operation = scanner.scan(opening(), source, presented, &mut stream);
            match operation.result.unwrap() {
                ScanRead::NoRead => no_read_times.push(operation.duration),
                ScanRead::Decoded(payload) => {
                    misreads += usize::from(payload != presented);
                    read_times.push(operation.duration);
                }
            }
        }
        let what = format!("{source:?}");
        assert_share(
            &what,
            no_read_times.len(),
            trials,
            profile.no_read_probability,
        );
        assert_share(&what, misreads, trials, profile.misread_probability);
        assert_mean(&what, &read_times, profile.read_time.mean());
        assert_mean(&what, &no_read_times, profile.no_read_time.mean());
    }
}

#[test]
fn a_misread_changes_exactly_one_byte() {
    let mut model = distinct_model();
    model.qr_on_phone = profile(0.0, 1.0, (3, 5), (8, 12));
    let mut scanner = Scanner::new(model).unwrap();
    let mut stream = seed_stream(12);
    let presented = b"ACK 000042 HK".as_slice();
    for _ in 0..1_000 {
        let operation = scanner.scan(opening(), ScanSource::QrOnPhone, presented, &mut stream);
        let Ok(ScanRead::Decoded(payload)) = operation.result else {
            panic!("{operation:?}");
        };
        assert_eq!(payload.len(), presented.len());
        let changed = payload
            .iter()
            .zip(presented)
            .filter(|(a, b)| a != b)
            .count();
        assert_eq!(changed, 1, "{payload:?}");
    }
    let empty = scanner.scan(opening(), ScanSource::QrOnPhone, b"", &mut stream);
    assert!(matches!(empty.result, Ok(ScanRead::Decoded(ref bytes)) if bytes.len() == 1));
}

#[test]
fn default_scans_of_a_phone_code_take_three_to_five_seconds() {
    let model = ScannerModel {
        faults: FaultModel::none(),
        ..ScannerModel::default()
    };
    let mut scanner = Scanner::new(model).unwrap();
    let mut stream = seed_stream(13);
    for _ in 0..10_000 {
        let operation = scanner.scan(opening(), ScanSource::QrOnPhone, b"X", &mut stream);
        if let Ok(ScanRead::Decoded(_)) = operation.result {
            assert!((seconds(3)..=seconds(5)).contains(&operation.duration));
        } else {
            assert!(operation.duration >= seconds(8));
        }
    }
    assert_eq!(
        ScannerModel::default().qr_on_phone.read_time.mean(),
        SimDuration::from_secs(4)
    );
}
