//! Deliberate defects the simulator plants in the registry (`hkic-sim run --plant-bug`) to
//! prove that the world's checkers notice a registry that breaks invariants 1 and 3. No
//! deployment configures one: [`RegistryConfig::defect`](super::RegistryConfig) is `None`
//! everywhere but in those runs.
//!
//! Both defects also switch off the registry's own assertion that a resident holds at most
//! one active card: a defect that the service's self-check turned into a panic would prove
//! nothing about the checkers outside it.

/// A way for the registry to get activation wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistryDefect {
    /// An activation journals the old card's cancellation (and its event says so) but
    /// applying the record forgets to withdraw the old card: its holder keeps two active
    /// cards (invariant 1) while every message looks right.
    OldCardStaysActive,
    /// The activation and the old card's cancellation are two records, the second written
    /// after the first: a crash between them leaves two active cards, and even without one
    /// the activation cancels nothing (invariant 3).
    CancelInSecondStep,
}
