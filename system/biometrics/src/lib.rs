//! Fingerprint template matching: 1:1 verification and the 1:N duplicate-search index.
