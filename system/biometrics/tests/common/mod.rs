//! Synthetic residents for the matcher's tests and benches (from `hkic-devices`, a
//! dev-dependency: the library itself never sees the emulators).

use hkic_biometrics::Template;
use hkic_biometrics::evaluation::ThumbCaptures;
use hkic_devices::biometric::SyntheticPopulation;

/// The capture function `evaluate` takes, for the population of `seed`.
#[allow(dead_code)] // not every test file uses every helper
pub fn captures(seed: u64) -> impl FnMut(u64, u32) -> ThumbCaptures {
    let population = SyntheticPopulation::new(seed);
    move |resident, session| population.capture_thumbs(resident, session)
}

/// Both thumbs of a resident in a session, prepared.
#[allow(dead_code)] // not every test file uses every helper
pub fn templates(
    population: &SyntheticPopulation,
    resident: u64,
    session: u32,
) -> [Option<Template>; 2] {
    population
        .capture_thumbs(resident, session)
        .map(|view| view.map(|view| Template::from_view_500_ppi(&view)))
}
