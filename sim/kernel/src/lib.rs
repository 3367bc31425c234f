//! The deterministic simulation kernel: event queue, seeded streams, simulated network and disk, fault injection, trace hash.
