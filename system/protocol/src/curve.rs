//! The two elliptic curves the protocols use, behind one small value-level interface:
//! NIST P-256 (our cards: PACE, chip authentication, signatures) and brainpoolP256r1 (the
//! ICAO 9303-11 Appendix G.1 example).
//!
//! Points travel as 65-byte uncompressed SEC1 encodings ([`Point`]), checked to lie on the
//! curve and not to be the identity when they are built; scalars travel as 32 big-endian
//! bytes ([`SecretScalar`]). All arithmetic is RustCrypto's (`p256`, `bp256`); this module
//! only converts between bytes and their types, and builds scalars from the caller's random
//! bytes by rejection sampling so that no RustCrypto code ever sees our random stream.

use crate::random::{RandomBytes, RandomExhausted, draw_array};
use elliptic_curve::sec1::{FromSec1Point, ModulusSize, ToSec1Point};
use elliptic_curve::{
    AffinePoint, CurveArithmetic, FieldBytes, FieldBytesSize, Group, PrimeField, ProjectivePoint,
};

#[cfg(feature = "openssl")]
mod p256_openssl;
#[cfg(any(test, not(feature = "openssl")))]
mod p256_variable_base;

/// Bytes of a scalar or of one coordinate.
pub const SCALAR_LENGTH: usize = 32;
/// Bytes of an uncompressed point: 04 ‖ x ‖ y.
pub const POINT_LENGTH: usize = 65;
/// Draws allowed before giving up on finding a valid scalar (each succeeds with probability
/// above 1 - 2^-32 for P-256 and about 0.67 for brainpoolP256r1).
const SCALAR_DRAWS_MAX: u32 = 64;

/// A curve with its standardised domain parameter identifier (BSI TR-03110 part 3, A.2.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Curve {
    NistP256,
    BrainpoolP256r1,
}

impl Curve {
    pub fn standardized_parameter_id(self) -> u8 {
        match self {
            Curve::NistP256 => 12,
            Curve::BrainpoolP256r1 => 13,
        }
    }

    pub fn from_standardized_parameter_id(identifier: u64) -> Option<Curve> {
        match identifier {
            12 => Some(Curve::NistP256),
            13 => Some(Curve::BrainpoolP256r1),
            _ => None,
        }
    }
}

/// Why bytes are not a point or a scalar of the curve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CurveError {
    #[error("not an uncompressed point on the curve")]
    InvalidPoint,
    #[error("not a non-zero scalar below the group order")]
    InvalidScalar,
    #[error("the result is the point at infinity")]
    Identity,
    #[error("no valid scalar in {SCALAR_DRAWS_MAX} draws")]
    NoScalarFound,
    #[error(transparent)]
    Random(#[from] RandomExhausted),
}

/// An uncompressed point known to be on its curve and not the identity.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Point([u8; POINT_LENGTH]);

impl std::fmt::Debug for Point {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "Point(")?;
        for byte in &self.0 {
            write!(formatter, "{byte:02X}")?;
        }
        write!(formatter, ")")
    }
}

impl Point {
    pub fn as_bytes(&self) -> &[u8; POINT_LENGTH] {
        &self.0
    }

    /// The x coordinate: the ECDH shared secret, and Comp() of BSI TR-03110.
    pub fn x(&self) -> [u8; SCALAR_LENGTH] {
        let mut out = [0u8; SCALAR_LENGTH];
        out.copy_from_slice(&self.0[1..=SCALAR_LENGTH]);
        out
    }
}

/// A private scalar, 32 big-endian bytes, non-zero and below the group order.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretScalar([u8; SCALAR_LENGTH]);

impl std::fmt::Debug for SecretScalar {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("SecretScalar(..)")
    }
}

impl SecretScalar {
    pub fn as_bytes(&self) -> &[u8; SCALAR_LENGTH] {
        &self.0
    }
}

impl Curve {
    /// Checks that `bytes` is a valid private scalar.
    pub fn scalar(self, bytes: &[u8]) -> Result<SecretScalar, CurveError> {
        let array: [u8; SCALAR_LENGTH] = bytes.try_into().map_err(|_| CurveError::InvalidScalar)?;
        let valid = match self {
            Curve::NistP256 => scalar_of::<p256::NistP256>(&array).is_some(),
            Curve::BrainpoolP256r1 => scalar_of::<bp256::BrainpoolP256r1>(&array).is_some(),
        };
        valid
            .then_some(SecretScalar(array))
            .ok_or(CurveError::InvalidScalar)
    }

    /// A private scalar from the caller's random bytes (32 bytes per draw, rejection sampled).
    pub fn random_scalar(self, random: &mut dyn RandomBytes) -> Result<SecretScalar, CurveError> {
        for _ in 0..SCALAR_DRAWS_MAX {
            let bytes: [u8; SCALAR_LENGTH] = draw_array(random)?;
            if let Ok(scalar) = self.scalar(&bytes) {
                return Ok(scalar);
            }
        }
        Err(CurveError::NoScalarFound)
    }

    /// Checks that `bytes` is an uncompressed point of the curve other than the identity.
    pub fn point(self, bytes: &[u8]) -> Result<Point, CurveError> {
        let array: [u8; POINT_LENGTH] = bytes.try_into().map_err(|_| CurveError::InvalidPoint)?;
        let valid = match self {
            Curve::NistP256 => affine_of::<p256::NistP256>(&array).is_some(),
            Curve::BrainpoolP256r1 => affine_of::<bp256::BrainpoolP256r1>(&array).is_some(),
        };
        valid
            .then_some(Point(array))
            .ok_or(CurveError::InvalidPoint)
    }

    /// scalar × G.
    pub fn public_point(self, scalar: &SecretScalar) -> Point {
        match self {
            #[cfg(feature = "openssl")]
            Curve::NistP256 => p256_openssl::multiply_generator(scalar)
                .expect("a SecretScalar is a valid P-256 scalar by construction"),
            #[cfg(not(feature = "openssl"))]
            Curve::NistP256 => multiply_generator::<p256::NistP256>(scalar),
            Curve::BrainpoolP256r1 => multiply_generator::<bp256::BrainpoolP256r1>(scalar),
        }
    }

    /// scalar × point.
    pub fn multiply(self, scalar: &SecretScalar, point: &Point) -> Result<Point, CurveError> {
        match self {
            #[cfg(feature = "openssl")]
            Curve::NistP256 => p256_openssl::multiply(scalar, point),
            #[cfg(not(feature = "openssl"))]
            Curve::NistP256 => p256_variable_base::multiply(scalar, point),
            Curve::BrainpoolP256r1 => multiply::<bp256::BrainpoolP256r1>(scalar, point),
        }
    }

    /// The PACE generic mapping: G' = s × G + H, with the nonce s read as a big-endian integer.
    pub fn map_generator(self, nonce: &[u8], shared: &Point) -> Result<Point, CurveError> {
        if nonce.len() > SCALAR_LENGTH {
            return Err(CurveError::InvalidScalar);
        }
        let mut bytes = [0u8; SCALAR_LENGTH];
        bytes[SCALAR_LENGTH - nonce.len()..].copy_from_slice(nonce);
        match self {
            #[cfg(feature = "openssl")]
            Curve::NistP256 => p256_openssl::map_generator(&bytes, shared),
            #[cfg(not(feature = "openssl"))]
            Curve::NistP256 => map_generator::<p256::NistP256>(&bytes, shared),
            Curve::BrainpoolP256r1 => map_generator::<bp256::BrainpoolP256r1>(&bytes, shared),
        }
    }
}

/// ECDSA with SHA-256 on P-256: whether `signature` on `message` verifies under `key` (on
/// OpenSSL with the `openssl` feature, else RustCrypto; the same verdict either way).
pub fn verify_p256_sha256(
    key: &p256::ecdsa::VerifyingKey,
    message: &[u8],
    signature: &p256::ecdsa::Signature,
) -> bool {
    #[cfg(feature = "openssl")]
    {
        p256_openssl::verify(key, message, signature)
    }
    #[cfg(not(feature = "openssl"))]
    {
        use p256::ecdsa::signature::Verifier;
        key.verify(message, signature).is_ok()
    }
}

fn scalar_of<C>(bytes: &[u8; SCALAR_LENGTH]) -> Option<C::Scalar>
where
    C: CurveArithmetic,
{
    let repr = FieldBytes::<C>::try_from(&bytes[..]).ok()?;
    let scalar: Option<C::Scalar> = C::Scalar::from_repr(repr).into();
    scalar.filter(|scalar| !bool::from(elliptic_curve::Field::is_zero(scalar)))
}

fn affine_of<C>(bytes: &[u8; POINT_LENGTH]) -> Option<AffinePoint<C>>
where
    C: CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    if bytes[0] != 0x04 {
        return None;
    }
    AffinePoint::<C>::from_sec1_bytes(bytes).ok()
}

fn encode<C>(point: ProjectivePoint<C>) -> Result<Point, CurveError>
where
    C: CurveArithmetic,
    AffinePoint<C>: ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    if bool::from(point.is_identity()) {
        return Err(CurveError::Identity);
    }
    let affine: AffinePoint<C> = point.into();
    let encoded = affine.to_sec1_point(false);
    let array: [u8; POINT_LENGTH] = encoded
        .as_bytes()
        .try_into()
        .map_err(|_| CurveError::InvalidPoint)?;
    Ok(Point(array))
}

fn multiply_generator<C>(scalar: &SecretScalar) -> Point
where
    C: CurveArithmetic,
    AffinePoint<C>: ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let scalar = scalar_of::<C>(&scalar.0).expect("a SecretScalar is valid by construction");
    encode::<C>(ProjectivePoint::<C>::mul_by_generator(&scalar))
        .expect("a non-zero scalar times the generator of a prime-order group is not the identity")
}

fn multiply<C>(scalar: &SecretScalar, point: &Point) -> Result<Point, CurveError>
where
    C: CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let scalar = scalar_of::<C>(&scalar.0).ok_or(CurveError::InvalidScalar)?;
    let point = affine_of::<C>(&point.0).ok_or(CurveError::InvalidPoint)?;
    encode::<C>(ProjectivePoint::<C>::from(point) * scalar)
}

fn map_generator<C>(nonce: &[u8; SCALAR_LENGTH], shared: &Point) -> Result<Point, CurveError>
where
    C: CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let nonce = scalar_of::<C>(nonce).ok_or(CurveError::InvalidScalar)?;
    let shared = affine_of::<C>(&shared.0).ok_or(CurveError::InvalidPoint)?;
    encode::<C>(ProjectivePoint::<C>::mul_by_generator(&nonce) + ProjectivePoint::<C>::from(shared))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::ScriptedBytes;
    use hex_literal::hex;

    #[test]
    fn rejects_invalid_scalars_and_points() {
        for curve in [Curve::NistP256, Curve::BrainpoolP256r1] {
            assert_eq!(curve.scalar(&[0; 32]), Err(CurveError::InvalidScalar));
            assert_eq!(curve.scalar(&[0xFF; 32]), Err(CurveError::InvalidScalar));
            assert_eq!(curve.scalar(&[1; 31]), Err(CurveError::InvalidScalar));
            let mut point = *curve
                .public_point(&curve.scalar(&[1; 32]).unwrap())
                .as_bytes();
            assert!(curve.point(&point).is_ok());
            point[64] ^= 1;
            assert_eq!(curve.point(&point), Err(CurveError::InvalidPoint));
            assert_eq!(curve.point(&[0]), Err(CurveError::InvalidPoint));
        }
    }

    #[test]
    fn p256_variable_base_gives_the_generic_product() {
        let curve = Curve::NistP256;
        let mut random = hkic_base::seed_stream(11);
        for _ in 0..16 {
            let scalar = curve.random_scalar(&mut random).unwrap();
            let point = curve.public_point(&curve.random_scalar(&mut random).unwrap());
            assert_eq!(
                curve.multiply(&scalar, &point),
                multiply::<p256::NistP256>(&scalar, &point)
            );
        }
        let scalar = curve.scalar(&[1; 32]).unwrap();
        let mut off_curve = *curve.public_point(&scalar).as_bytes();
        off_curve[64] ^= 1;
        assert_eq!(
            p256_variable_base::multiply(&scalar, &Point(off_curve)),
            Err(CurveError::InvalidPoint)
        );
        let zero = SecretScalar([0; SCALAR_LENGTH]);
        let point = curve.public_point(&scalar);
        assert_eq!(
            p256_variable_base::multiply(&zero, &point),
            Err(CurveError::InvalidScalar)
        );
    }

    #[test]
    fn random_scalar_skips_invalid_draws() {
        let mut random = ScriptedBytes::new([[0xFF; 32], [0; 32], [2; 32]]);
        let scalar = Curve::NistP256.random_scalar(&mut random).unwrap();
        assert_eq!(scalar.as_bytes(), &[2; 32]);
    }

    #[test]
    fn generic_mapping_matches_appendix_g1() {
        let curve = Curve::BrainpoolP256r1;
        let secret = curve
            .scalar(&hex!(
                "7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99"
            ))
            .unwrap();
        let chip_public = curve
            .point(&hex!(
                "04824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54"
            ))
            .unwrap();
        let shared = curve.multiply(&secret, &chip_public).unwrap();
        assert_eq!(
            shared.x(),
            hex!("60332EF2450B5D247EF6D3868397D398852ED6E8CAF6FFEEF6BF85CA57057FD5")
        );
        let mapped = curve
            .map_generator(&hex!("3F00C4D39D153F2B2A214A078D899B22"), &shared)
            .unwrap();
        assert_eq!(
            mapped.x(),
            hex!("8CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E2")
        );
    }

    /// With the `openssl` feature every P-256 operation runs on OpenSSL: each must give
    /// RustCrypto's bytes, errors and verdicts, or traces would depend on the build.
    #[cfg(feature = "openssl")]
    mod openssl_agrees_with_rustcrypto {
        use super::*;
        use p256::ecdsa::signature::{Signer, Verifier};
        use p256::ecdsa::{Signature, SigningKey};

        const CASES: usize = 200;

        #[test]
        fn products_and_mappings_are_the_same_points() {
            let curve = Curve::NistP256;
            let mut random = hkic_base::seed_stream(12);
            for _ in 0..CASES {
                let scalar = curve.random_scalar(&mut random).unwrap();
                let other = curve.random_scalar(&mut random).unwrap();
                let point = multiply_generator::<p256::NistP256>(&other);
                assert_eq!(
                    curve.public_point(&scalar),
                    multiply_generator::<p256::NistP256>(&scalar)
                );
                assert_eq!(
                    curve.multiply(&scalar, &point),
                    p256_variable_base::multiply(&scalar, &point)
                );
                let nonce = &scalar.as_bytes()[16..];
                let mut padded = [0u8; SCALAR_LENGTH];
                padded[16..].copy_from_slice(nonce);
                assert_eq!(
                    curve.map_generator(nonce, &point),
                    map_generator::<p256::NistP256>(&padded, &point)
                );
            }
        }

        #[test]
        fn bad_inputs_and_the_identity_are_the_same_errors() {
            let curve = Curve::NistP256;
            let one = curve.scalar(&[1; 32]).unwrap();
            let point = curve.public_point(&one);
            let mut off_curve = *point.as_bytes();
            off_curve[64] ^= 1;
            let off_curve = Point(off_curve);
            let zero = SecretScalar([0; SCALAR_LENGTH]);
            assert_eq!(
                curve.multiply(&one, &off_curve),
                Err(CurveError::InvalidPoint)
            );
            assert_eq!(
                curve.multiply(&zero, &point),
                Err(CurveError::InvalidScalar)
            );
            for hybrid in [0x06, 0x07] {
                let mut bytes = *point.as_bytes();
                bytes[0] = hybrid;
                let rustcrypto = p256_variable_base::multiply(&one, &Point(bytes));
                assert_eq!(rustcrypto, Err(CurveError::InvalidPoint));
                assert_eq!(curve.multiply(&one, &Point(bytes)), rustcrypto);
            }
            assert_eq!(
                curve.map_generator(&[0; 32], &point),
                Err(CurveError::InvalidScalar)
            );
            assert_eq!(
                curve.map_generator(&[1; 32], &off_curve),
                Err(CurveError::InvalidPoint)
            );
            // s x G + (n - s) x G is the identity.
            let s = curve.scalar(&[7; 32]).unwrap();
            let minus_s = -scalar_of::<p256::NistP256>(&[7; 32]).unwrap();
            let minus_s = curve.scalar(&minus_s.to_repr()).unwrap();
            let shared = curve.public_point(&minus_s);
            assert_eq!(
                curve.map_generator(s.as_bytes(), &shared),
                Err(CurveError::Identity)
            );
            assert_eq!(
                map_generator::<p256::NistP256>(s.as_bytes(), &shared),
                Err(CurveError::Identity)
            );
        }

        #[test]
        fn signatures_get_the_same_verdicts() {
            let mut random = hkic_base::seed_stream(13);
            for case in 0..CASES {
                let key = SigningKey::from_slice(
                    Curve::NistP256
                        .random_scalar(&mut random)
                        .unwrap()
                        .as_bytes(),
                )
                .unwrap();
                let other = SigningKey::from_slice(
                    Curve::NistP256
                        .random_scalar(&mut random)
                        .unwrap()
                        .as_bytes(),
                )
                .unwrap();
                let message = format!("message {case}").into_bytes();
                let signature: Signature = key.sign(&message);
                let mut tampered = message.clone();
                tampered[0] ^= 1;
                let (r, s) = signature.split_scalars();
                let swapped = Signature::from_scalars(s.to_repr(), r.to_repr()).unwrap();
                let public = key.verifying_key();
                for (message, signature, key) in [
                    (&message, &signature, public),
                    (&tampered, &signature, public),
                    (&message, &swapped, public),
                    (&message, &signature, other.verifying_key()),
                ] {
                    assert_eq!(
                        verify_p256_sha256(key, message, signature),
                        key.verify(message, signature).is_ok(),
                        "case {case}"
                    );
                }
                assert!(verify_p256_sha256(public, &message, &signature));
            }
        }
    }
}
