//! P-256 on OpenSSL (the `openssl` cargo feature, off by default: it needs libssl-dev to
//! build): scalar × point, scalar × G, PACE's mapping and ECDSA verification.
//!
//! Why a second implementation of the same operations: these are most of a `full`-fidelity
//! run, and OpenSSL's P-256 (its assembly `nistz256` code) does them two and a half to four
//! times faster than RustCrypto's `p256` on our machine (throwaway measurements, 2,000 of
//! each: scalar × point 44 against 109 µs, scalar × G 10 against 42 µs, a verification 57
//! against 140 µs). Signing stays with RustCrypto everywhere: it is deterministic
//! (RFC 6979), which OpenSSL 3.0's is not.
//!
//! The answers are the same bytes and verdicts as RustCrypto's (the tests compare them on
//! every operation), so a run's trace hash does not depend on the feature. The scalars come
//! from the caller as always; OpenSSL draws nothing that reaches a result.

use std::sync::OnceLock;

use openssl::bn::{BigNum, BigNumContext};
use openssl::ec::{EcGroup, EcKey, EcPoint, EcPointRef, PointConversionForm};
use openssl::ecdsa::EcdsaSig;
use openssl::nid::Nid;
use p256::ecdsa::{Signature, VerifyingKey};

use super::{CurveError, POINT_LENGTH, Point, SCALAR_LENGTH, SecretScalar};

fn group() -> &'static EcGroup {
    static GROUP: OnceLock<EcGroup> = OnceLock::new();
    GROUP.get_or_init(|| {
        EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).expect("OpenSSL knows P-256")
    })
}

/// scalar × point.
pub(super) fn multiply(scalar: &SecretScalar, point: &Point) -> Result<Point, CurveError> {
    let group = group();
    let mut context = BigNumContext::new().map_err(|_| CurveError::InvalidPoint)?;
    let point =
        EcPoint::from_bytes(group, &point.0, &mut context).map_err(|_| CurveError::InvalidPoint)?;
    let scalar = big_number(&scalar.0)?;
    let mut product = EcPoint::new(group).map_err(|_| CurveError::InvalidPoint)?;
    product
        .mul2(group, &point, &scalar, &mut context)
        .map_err(|_| CurveError::InvalidPoint)?;
    encode(&product, &mut context)
}

/// scalar × G.
pub(super) fn multiply_generator(scalar: &SecretScalar) -> Result<Point, CurveError> {
    let group = group();
    let mut context = BigNumContext::new().map_err(|_| CurveError::InvalidScalar)?;
    let scalar = big_number(&scalar.0)?;
    let mut product = EcPoint::new(group).map_err(|_| CurveError::InvalidScalar)?;
    product
        .mul_generator2(group, &scalar, &mut context)
        .map_err(|_| CurveError::InvalidScalar)?;
    encode(&product, &mut context)
}

/// nonce × G + shared, the nonce a valid scalar.
pub(super) fn map_generator(
    nonce: &[u8; SCALAR_LENGTH],
    shared: &Point,
) -> Result<Point, CurveError> {
    let group = group();
    let mut context = BigNumContext::new().map_err(|_| CurveError::InvalidPoint)?;
    let shared = EcPoint::from_bytes(group, &shared.0, &mut context)
        .map_err(|_| CurveError::InvalidPoint)?;
    let nonce = big_number(nonce)?;
    let mut product = EcPoint::new(group).map_err(|_| CurveError::InvalidPoint)?;
    product
        .mul_generator2(group, &nonce, &mut context)
        .map_err(|_| CurveError::InvalidScalar)?;
    let mut sum = EcPoint::new(group).map_err(|_| CurveError::InvalidPoint)?;
    sum.add(group, &product, &shared, &mut context)
        .map_err(|_| CurveError::InvalidPoint)?;
    encode(&sum, &mut context)
}

/// ECDSA with SHA-256: whether `signature` on `message` verifies under `key`.
pub(super) fn verify(key: &VerifyingKey, message: &[u8], signature: &Signature) -> bool {
    let verified = || -> Result<bool, openssl::error::ErrorStack> {
        let group = group();
        let mut context = BigNumContext::new()?;
        let encoded = key.to_sec1_point(false);
        let point = EcPoint::from_bytes(group, encoded.as_bytes(), &mut context)?;
        let key = EcKey::from_public_key(group, &point)?;
        let (r, s) = signature.split_bytes();
        let signature = EcdsaSig::from_private_components(
            BigNum::from_slice(r.as_slice())?,
            BigNum::from_slice(s.as_slice())?,
        )?;
        signature.verify(&crate::primitives::sha256(message), &key)
    };
    verified().unwrap_or(false)
}

fn big_number(bytes: &[u8; SCALAR_LENGTH]) -> Result<BigNum, CurveError> {
    BigNum::from_slice(bytes).map_err(|_| CurveError::InvalidScalar)
}

fn encode(point: &EcPointRef, context: &mut BigNumContext) -> Result<Point, CurveError> {
    if point.is_infinity(group()) {
        return Err(CurveError::Identity);
    }
    let bytes = point
        .to_bytes(group(), PointConversionForm::UNCOMPRESSED, context)
        .map_err(|_| CurveError::InvalidPoint)?;
    let array: [u8; POINT_LENGTH] = bytes[..].try_into().map_err(|_| CurveError::InvalidPoint)?;
    Ok(Point(array))
}
