//! A tokio bridge from an emulated chip to vsmartcard's vpcd, so real PC/SC applications see the card.
