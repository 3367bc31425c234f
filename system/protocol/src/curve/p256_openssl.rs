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
//! The answers are the same bytes, errors and verdicts as RustCrypto's (the tests compare
//! them on every operation), so a run's trace hash does not depend on the feature: scalars
//! are checked as RustCrypto checks them (OpenSSL would take zero and give the identity),
//! points by OpenSSL's own decoding, which refuses any not on the curve. The scalars come
//! from the caller as always; OpenSSL draws nothing that reaches a result.

use std::sync::OnceLock;

use openssl::bn::{BigNum, BigNumContext};
use openssl::ec::{EcGroup, EcKey, EcPoint, EcPointRef, PointConversionForm};
use openssl::ecdsa::EcdsaSig;
use openssl::nid::Nid;
use p256::ecdsa::{Signature, VerifyingKey};

use super::{CurveError, POINT_LENGTH, Point, SCALAR_LENGTH, SecretScalar, scalar_of};

fn group() -> &'static EcGroup {
    static GROUP: OnceLock<EcGroup> = OnceLock::new();
    GROUP.get_or_init(|| {
        EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).expect("OpenSSL knows P-256")
    })
}

/// scalar × point.
pub(super) fn multiply(scalar: &SecretScalar, point: &Point) -> Result<Point, CurveError> {
    let scalar = big_number(&scalar.0)?;
    let mut context = BigNumContext::new().map_err(|_| CurveError::InvalidPoint)?;
    let point = decode(point, &mut context)?;
    let mut product = EcPoint::new(group()).map_err(|_| CurveError::InvalidPoint)?;
    product
        .mul2(group(), &point, &scalar, &mut context)
        .map_err(|_| CurveError::InvalidPoint)?;
    encode(&product, &mut context)
}

/// scalar × G.
pub(super) fn multiply_generator(scalar: &SecretScalar) -> Result<Point, CurveError> {
    let scalar = big_number(&scalar.0)?;
    let mut context = BigNumContext::new().map_err(|_| CurveError::InvalidScalar)?;
    let product = generator_times(&scalar, &mut context)?;
    encode(&product, &mut context)
}

/// nonce × G + shared.
pub(super) fn map_generator(
    nonce: &[u8; SCALAR_LENGTH],
    shared: &Point,
) -> Result<Point, CurveError> {
    let nonce = big_number(nonce)?;
    let mut context = BigNumContext::new().map_err(|_| CurveError::InvalidPoint)?;
    let shared = decode(shared, &mut context)?;
    let product = generator_times(&nonce, &mut context)?;
    let mut sum = EcPoint::new(group()).map_err(|_| CurveError::InvalidPoint)?;
    sum.add(group(), &product, &shared, &mut context)
        .map_err(|_| CurveError::InvalidPoint)?;
    encode(&sum, &mut context)
}

fn generator_times(scalar: &BigNum, context: &mut BigNumContext) -> Result<EcPoint, CurveError> {
    let mut product = EcPoint::new(group()).map_err(|_| CurveError::InvalidScalar)?;
    product
        .mul_generator2(group(), scalar, context)
        .map_err(|_| CurveError::InvalidScalar)?;
    Ok(product)
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

/// A valid P-256 scalar (non-zero, below the group order) as OpenSSL's number.
fn big_number(bytes: &[u8; SCALAR_LENGTH]) -> Result<BigNum, CurveError> {
    scalar_of::<p256::NistP256>(bytes).ok_or(CurveError::InvalidScalar)?;
    BigNum::from_slice(bytes).map_err(|_| CurveError::InvalidScalar)
}

/// An uncompressed point on the curve (OpenSSL's decoding refuses any other point, but
/// would also take the hybrid encodings of the same length).
fn decode(point: &Point, context: &mut BigNumContext) -> Result<EcPoint, CurveError> {
    if point.0[0] != 0x04 {
        return Err(CurveError::InvalidPoint);
    }
    EcPoint::from_bytes(group(), &point.0, context).map_err(|_| CurveError::InvalidPoint)
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
