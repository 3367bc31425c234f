//! Scenarios, fault profiles and data compiled into the binary, so `hkic-sim run` works on a
//! fresh machine with no files.

/// (name, file text), in the order `hkic-sim scenarios` lists them. The first is the default.
pub const SCENARIOS: &[(&str, &str)] = &[
    (
        "centre-day",
        include_str!("../../../../scenarios/centre-day.json"),
    ),
    (
        "centre-rush-day",
        include_str!("../../../../scenarios/centre-rush-day.json"),
    ),
    (
        "centre-fortnight",
        include_str!("../../../../scenarios/centre-fortnight.json"),
    ),
];

pub const FAULT_PROFILES: &[(&str, &str)] = &[
    (
        "light",
        include_str!("../../../../scenarios/faults/light.json"),
    ),
    (
        "chaos",
        include_str!("../../../../scenarios/faults/chaos.json"),
    ),
];

pub const HOLIDAYS: &[(&str, &str)] = &[(
    "hk-general-holidays-2018-2023",
    include_str!("../../../../scenarios/data/hk-general-holidays-2018-2023.csv"),
)];

pub fn scenario(name: &str) -> Option<&'static str> {
    SCENARIOS
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, text)| *text)
}

pub fn fault_profile(name: &str) -> Option<&'static str> {
    FAULT_PROFILES
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, text)| *text)
}

pub fn holidays(name: &str) -> Option<&'static str> {
    HOLIDAYS
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, text)| *text)
}

pub fn names(list: &[(&str, &str)]) -> String {
    list.iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}
