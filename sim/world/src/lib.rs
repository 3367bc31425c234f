//! The simulated world: centres, residents, services and devices wired together, and the invariant checkers.
