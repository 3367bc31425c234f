//! P-256 scalar × point on the arithmetic of `p256` 0.13.
//!
//! Why a second version of the same RustCrypto crate: `p256` 0.14 moved its field
//! arithmetic onto generic `crypto-bigint` code (a Karatsuba product and a separate
//! reduction for every multiplication), and its constant-time scalar × point is about 1.35
//! times slower than 0.13's on our machine (a throwaway measurement, medians of 2,000
//! multiplications: 0.13 about 0.74 of 0.14's time). Variable-base multiplications are
//! half of a `full`-fidelity run: two ECDH in PACE's mapping, two key pairs on the mapped
//! generator, two shared secrets, and the chip-authentication ECDH on both sides.
//! Generator multiplications stay on 0.14 (its precomputed tables are faster than 0.13
//! without them), and so do ECDSA and everything else.
//!
//! The result is the same point, byte for byte (tested against 0.14); the multiplication
//! is constant-time in the scalar in both versions.

use elliptic_curve_v013::sec1::{FromEncodedPoint, ToEncodedPoint};
use elliptic_curve_v013::{Field, PrimeField};
use p256_v013::{AffinePoint, EncodedPoint, FieldBytes, ProjectivePoint, Scalar};

use super::{CurveError, POINT_LENGTH, Point, SCALAR_LENGTH, SecretScalar};

/// scalar × point on P-256.
pub(super) fn multiply(scalar: &SecretScalar, point: &Point) -> Result<Point, CurveError> {
    let scalar = scalar_of(&scalar.0).ok_or(CurveError::InvalidScalar)?;
    let point = affine_of(&point.0).ok_or(CurveError::InvalidPoint)?;
    let product = (ProjectivePoint::from(point) * scalar).to_affine();
    if bool::from(product.is_identity()) {
        return Err(CurveError::Identity);
    }
    let encoded = product.to_encoded_point(false);
    let array: [u8; POINT_LENGTH] = encoded
        .as_bytes()
        .try_into()
        .map_err(|_| CurveError::InvalidPoint)?;
    Ok(Point(array))
}

fn scalar_of(bytes: &[u8; SCALAR_LENGTH]) -> Option<Scalar> {
    let scalar: Option<Scalar> = Scalar::from_repr(FieldBytes::from(*bytes)).into();
    scalar.filter(|scalar| !bool::from(scalar.is_zero()))
}

fn affine_of(bytes: &[u8; POINT_LENGTH]) -> Option<AffinePoint> {
    if bytes[0] != 0x04 {
        return None;
    }
    let encoded = EncodedPoint::from_bytes(bytes).ok()?;
    AffinePoint::from_encoded_point(&encoded).into()
}
