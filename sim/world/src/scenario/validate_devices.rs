//! Checks the scenario's `devices` section: every duration a distribution, every chance a
//! probability, every attempt limit from 1 to 20.

use hkic_base::SimDuration;
use hkic_services::production::DocumentSignerSchedule;

use super::ScenarioError;
use super::schema::DevicesSpec;
use super::schema::{CollectionSpec, ProductionSpec};
use super::validate::Check;
use crate::config::{CollectionParams, DeviceParams, ProductionParams};

fn attempts(check: &Check<'_>, path: &str, value: u32) -> Result<u8, ScenarioError> {
    Ok(check.count(path, value, 1, 20)? as u8)
}

pub(super) fn devices(
    check: &Check<'_>,
    spec: &DevicesSpec,
) -> Result<DeviceParams, ScenarioError> {
    let chance = |path: &str, value: f64| check.probability(&format!("devices.{path}"), value);
    let dist = |path: &str, value| check.dist(&format!("devices.{path}"), value);
    let (old_card, thumbs, qr) = (&spec.old_card, &spec.thumbs, &spec.qr);
    let (camera, officers, faults) = (&spec.camera, &spec.officers, &spec.faults);
    Ok(DeviceParams {
        old_card_read: dist("old_card.read", &old_card.read)?,
        old_card_unreadable: chance("old_card.unreadable", old_card.unreadable)?,
        thumb_capture: dist("thumbs.capture", &thumbs.capture)?,
        thumb_attempts: attempts(check, "devices.thumbs.attempts", thumbs.attempts)?,
        capture_failure: chance("thumbs.capture_failure", thumbs.capture_failure)?,
        non_match: chance("thumbs.non_match", thumbs.non_match)?,
        non_match_poor: chance("thumbs.non_match_poor", thumbs.non_match_poor)?,
        poor_fingers_under_65: chance(
            "thumbs.poor_fingers.under_65",
            thumbs.poor_fingers.under_65,
        )?,
        poor_fingers_65_or_over: chance(
            "thumbs.poor_fingers.aged_65_or_over",
            thumbs.poor_fingers.aged_65_or_over,
        )?,
        qr_scan: dist("qr.scan", &qr.scan)?,
        qr_attempts: attempts(check, "devices.qr.attempts", qr.attempts)?,
        qr_no_read: chance("qr.no_read", qr.no_read)?,
        print: dist("printer.print", &spec.printer.print)?,
        out_of_paper: chance("printer.out_of_paper", spec.printer.out_of_paper)?,
        photo: dist("camera.photo", &camera.photo)?,
        photo_attempts: attempts(check, "devices.camera.attempts", camera.attempts)?,
        photo_retake: chance("camera.retake", camera.retake)?,
        photo_retake_assisted: chance("camera.retake_assisted", camera.retake_assisted)?,
        key_reference: dist("officers.key_reference", &officers.key_reference)?,
        reference_found: chance("officers.reference_found", officers.reference_found)?,
        form_entry: dist("officers.form_entry", &officers.form_entry)?,
        inspect_old_card: dist("officers.inspect_old_card", &officers.inspect_old_card)?,
        not_identified: chance("officers.not_identified", officers.not_identified)?,
        verify_identity: dist("officers.verify_identity", &officers.verify_identity)?,
        not_verified: chance("officers.not_verified", officers.not_verified)?,
        jam: chance("faults.jam", faults.jam)?,
        offline: chance("faults.offline", faults.offline)?,
        repair: dist("faults.repair", &faults.repair)?,
    })
}

pub(super) fn production(
    check: &Check<'_>,
    spec: &ProductionSpec,
) -> Result<ProductionParams, ScenarioError> {
    Ok(ProductionParams {
        lead_time_working_days: check.count(
            "production.lead_time_working_days",
            spec.lead_time_working_days,
            1,
            100,
        )?,
        cut_off: spec.cut_off.0,
        personalisation: check.dist("production.personalisation", &spec.personalisation)?,
        failure: check.probability("production.failure", spec.failure)?,
        document_signers: document_signers(check, spec)?,
    })
}

/// `production.document_signer_rollover`: a whole number of days within the schedule's
/// bounds; absent, ICAO 9303-12's usual three months.
fn document_signers(
    check: &Check<'_>,
    spec: &ProductionSpec,
) -> Result<DocumentSignerSchedule, ScenarioError> {
    let Some(rollover) = spec.document_signer_rollover else {
        return Ok(DocumentSignerSchedule::default());
    };
    let day = SimDuration::from_days(1).as_nanos();
    let nanos = rollover.0.as_nanos();
    let days = u32::try_from(nanos / day).ok().filter(|_| nanos % day == 0);
    let schedule = days.and_then(|days| DocumentSignerSchedule::new(days).ok());
    let Some(schedule) = schedule else {
        let max = DocumentSignerSchedule::ROLLOVER_DAYS_MAX;
        return check.fail(
            "production.document_signer_rollover",
            format!(
                "expected a whole number of days from 1d to {max}d, got {}",
                rollover.0
            ),
        );
    };
    Ok(schedule)
}

pub(super) fn collection(
    check: &Check<'_>,
    spec: &CollectionSpec,
) -> Result<CollectionParams, ScenarioError> {
    Ok(CollectionParams {
        after_ready: check.dist("collection.after_ready", &spec.after_ready)?,
        retry_after: check.dist("collection.retry_after", &spec.retry_after)?,
        visits: attempts(check, "collection.visits", spec.visits)?,
        interaction: check.dist("collection.interaction", &spec.interaction)?,
        card_handling: check.dist("collection.card_handling", &spec.card_handling)?,
        card_read: check.dist("collection.card_read", &spec.card_read)?,
        read_failure: check.probability("collection.read_failure", spec.read_failure)?,
    })
}
