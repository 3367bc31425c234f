//! Planted bugs: deliberate defects the simulator can inject into the system under test, to
//! prove that each checker fires (`--plant-bug NAME`). A run with a planted bug is expected
//! to break an invariant; its report and replay command say which bug was planted.

use std::fmt;
use std::str::FromStr;

use hkic_services::registry::RegistryDefect;
use hkic_terminals::collection_kiosk::CollectionKioskDefect;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlantedBug {
    /// The booking service is configured with every slot's quota one higher than the
    /// scenario's, as a mistyped deployment setting would do. Breaks `slot-quota`.
    Overbook,
    /// The service hosts (booking and registration) read back through their write cache
    /// instead of from the media (a forgotten `O_DIRECT`), so the journal's verification
    /// always passes and lost or corrupt writes go unnoticed until a restart forgets what was
    /// acknowledged. Under a profile with disk faults and crashes it breaks `slot-quota` (a
    /// forgotten booking's slot is sold again), `confirmed-bookings-honoured` (a confirmed
    /// booking is unknown at check-in) or `accepted-applications-kept` (an application a
    /// resident was told was accepted is gone).
    ReadBackFromCache,
    /// The registry journals an activation's cancellation of the old card but applying the
    /// record forgets it (`RegistryDefect::OldCardStaysActive`): the holder keeps two active
    /// cards. Breaks `one-active-card-per-person` (invariant 1) at the first collection.
    OldCardStaysActive,
    /// The registry activates the new card and cancels the old one in a second record
    /// (`RegistryDefect::CancelInSecondStep`). Breaks `old-card-cancelled-on-activation`
    /// (invariant 3) at the first collection.
    CancelInSecondStep,
    /// The collection kiosks ask for activation without verifying the live thumbs
    /// (`CollectionKioskDefect::SkipThumbCheck`). Breaks
    /// `activation-after-fingerprint-match` (invariant 2) at the first collection.
    SkipThumbCheck,
    /// The personalisation line signs each card's SOD before it writes DG3 (over DG3's empty
    /// template slots), and reads the card back before DG3 too, so its read-back check (no
    /// DG3, no terminal authentication) passes: every card leaves the line with an SOD whose
    /// DG3 hash does not match the card. Only `full` fidelity makes real cards; there it
    /// breaks `issued-card-sod-verifies` (invariant 6) at the first card issued.
    SodBeforeDg3,
}

impl PlantedBug {
    pub const ALL: [PlantedBug; 6] = [
        PlantedBug::Overbook,
        PlantedBug::ReadBackFromCache,
        PlantedBug::OldCardStaysActive,
        PlantedBug::CancelInSecondStep,
        PlantedBug::SkipThumbCheck,
        PlantedBug::SodBeforeDg3,
    ];

    pub fn name(self) -> &'static str {
        match self {
            PlantedBug::Overbook => "overbook",
            PlantedBug::ReadBackFromCache => "read-back-from-cache",
            PlantedBug::OldCardStaysActive => "old-card-stays-active",
            PlantedBug::CancelInSecondStep => "cancel-in-second-step",
            PlantedBug::SkipThumbCheck => "skip-thumb-check",
            PlantedBug::SodBeforeDg3 => "sod-before-dg3",
        }
    }

    /// The registry's defect this bug plants, if it is one.
    pub fn registry_defect(self) -> Option<RegistryDefect> {
        match self {
            PlantedBug::OldCardStaysActive => Some(RegistryDefect::OldCardStaysActive),
            PlantedBug::CancelInSecondStep => Some(RegistryDefect::CancelInSecondStep),
            _ => None,
        }
    }

    /// The collection kiosks' defect this bug plants, if it is one.
    pub fn collection_kiosk_defect(self) -> Option<CollectionKioskDefect> {
        (self == PlantedBug::SkipThumbCheck).then_some(CollectionKioskDefect::SkipThumbCheck)
    }
}

impl fmt::Display for PlantedBug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for PlantedBug {
    type Err = String;

    fn from_str(text: &str) -> Result<PlantedBug, String> {
        PlantedBug::ALL
            .into_iter()
            .find(|bug| bug.name() == text)
            .ok_or_else(|| {
                let known: Vec<&str> = PlantedBug::ALL.iter().map(|bug| bug.name()).collect();
                format!("no planted bug {text:?} (known: {})", known.join(", "))
            })
    }
}
