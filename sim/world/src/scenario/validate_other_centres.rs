//! Checks the centres residents fall back to (`booking.other_centres`): each gets the
//! simulated centre's hours and slot length, its own spare quota, and no walk-ins (nobody
//! walks in there in this simulation).

use hkic_services::booking::CentreTimetable;

use super::ScenarioError;
use super::schema::OtherCentreSpec;
use super::validate::Check;
use crate::config::OtherCentre;

/// At most this many (the exercise had 9 centres in all).
const MAX_OTHER_CENTRES: usize = 32;

pub(super) fn other_centres(
    check: &Check<'_>,
    specs: &[OtherCentreSpec],
    simulated: &CentreTimetable,
) -> Result<Vec<OtherCentre>, ScenarioError> {
    if specs.len() > MAX_OTHER_CENTRES {
        let problem = format!(
            "expected at most {MAX_OTHER_CENTRES} centres, got {}",
            specs.len()
        );
        return check.fail("booking.other_centres", problem);
    }
    let mut centres = Vec::with_capacity(specs.len());
    for (index, spec) in specs.iter().enumerate() {
        let path = format!("booking.other_centres[{index}]");
        if spec.name.trim().is_empty() {
            return check.fail(&format!("{path}.name"), "expected a non-empty name");
        }
        let share = spec.share;
        if !(share.is_finite() && share > 0.0 && share <= 1_000_000.0) {
            let problem = format!("expected a weight more than 0 and at most 1000000, got {share}");
            return check.fail(&format!("{path}.share"), problem);
        }
        let spare = check.count(&format!("{path}.spare_quota"), spec.spare_quota, 0, 65_535)?;
        centres.push(OtherCentre {
            name: spec.name.clone(),
            share,
            timetable: CentreTimetable {
                slot_quota: spare as u16,
                walk_in_quota: 0,
                ..simulated.clone()
            },
        });
    }
    Ok(centres)
}
