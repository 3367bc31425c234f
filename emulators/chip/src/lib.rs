//! Emulated card chips: the new-generation eMRTD-style chip and the first-generation contact chip, with fault modes.
