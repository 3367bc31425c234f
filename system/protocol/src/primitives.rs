//! The symmetric building blocks ICAO 9303-11 composes, each a thin call into RustCrypto:
//! ISO/IEC 9797-1 padding method 2, two-key 3DES and AES-128 in CBC mode, the retail MAC
//! (ISO/IEC 9797-1 MAC algorithm 3 over DES), AES-CMAC truncated to 8 bytes, SHA-1/SHA-256,
//! and the key derivation function of section 9.7.1.
//!
//! Nothing here implements a cipher or a hash; this module only fixes the modes, the
//! padding and the truncation so the protocol modules read like the specification.

use aes::Aes128;
use cipher::array::Array;
use cipher::{BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, KeyInit, KeyIvInit};
use des::{Des, TdesEde2};
use retail_mac::{Mac, RetailMac};
use sha1::{Digest, Sha1};
use sha2::Sha256;

/// DES block size (3DES secure messaging, BAC).
pub const DES_BLOCK_LENGTH: usize = 8;
/// AES block size (PACE, chip authentication).
pub const AES_BLOCK_LENGTH: usize = 16;

/// Pads with ISO/IEC 9797-1 method 2: one 0x80 byte, then zeros to a whole block.
pub fn pad(data: &[u8], block_length: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + block_length);
    out.extend_from_slice(data);
    out.push(0x80);
    while out.len() % block_length != 0 {
        out.push(0);
    }
    out
}

/// Removes ISO/IEC 9797-1 method 2 padding; `None` when there is none.
pub fn unpad(data: &[u8]) -> Option<&[u8]> {
    let end = data.iter().rposition(|&byte| byte != 0)?;
    (data[end] == 0x80).then(|| &data[..end])
}

/// Two-key 3DES in CBC mode with a zero IV, in place. `data` must be whole blocks.
pub fn tdes_cbc_encrypt(key: &[u8; 16], data: &mut [u8]) {
    let mut mode = cbc::Encryptor::<TdesEde2>::new(&Array::from(*key), &Array::default());
    let (blocks, rest) = Array::slice_as_chunks_mut(data);
    debug_assert!(rest.is_empty());
    mode.encrypt_blocks(blocks);
}

/// Two-key 3DES CBC decryption with a zero IV, in place. `data` must be whole blocks.
pub fn tdes_cbc_decrypt(key: &[u8; 16], data: &mut [u8]) {
    let mut mode = cbc::Decryptor::<TdesEde2>::new(&Array::from(*key), &Array::default());
    let (blocks, rest) = Array::slice_as_chunks_mut(data);
    debug_assert!(rest.is_empty());
    mode.decrypt_blocks(blocks);
}

/// AES-128 in CBC mode, in place. `data` must be whole blocks.
pub fn aes_cbc_encrypt(key: &[u8; 16], iv: &[u8; 16], data: &mut [u8]) {
    let mut mode = cbc::Encryptor::<Aes128>::new(&Array::from(*key), &Array::from(*iv));
    let (blocks, rest) = Array::slice_as_chunks_mut(data);
    debug_assert!(rest.is_empty());
    mode.encrypt_blocks(blocks);
}

/// AES-128 CBC decryption, in place. `data` must be whole blocks.
pub fn aes_cbc_decrypt(key: &[u8; 16], iv: &[u8; 16], data: &mut [u8]) {
    let mut mode = cbc::Decryptor::<Aes128>::new(&Array::from(*key), &Array::from(*iv));
    let (blocks, rest) = Array::slice_as_chunks_mut(data);
    debug_assert!(rest.is_empty());
    mode.decrypt_blocks(blocks);
}

/// One AES-128 block encryption (the IV of AES secure messaging is E(K_enc, SSC)).
pub fn aes_encrypt_block(key: &[u8; 16], block: [u8; 16]) -> [u8; 16] {
    let cipher = Aes128::new(&Array::from(*key));
    let mut block = Array::from(block);
    cipher.encrypt_block(&mut block);
    block.into()
}

/// ISO/IEC 9797-1 MAC algorithm 3 with DES and key K_a ‖ K_b, over data already padded.
pub fn retail_mac(key: &[u8; 16], padded_data: &[u8]) -> [u8; 8] {
    debug_assert!(padded_data.len() % DES_BLOCK_LENGTH == 0);
    let mut mac = <RetailMac<Des> as KeyInit>::new(&Array::from(*key));
    mac.update(padded_data);
    mac.finalize().into_bytes().into()
}

/// AES-CMAC truncated to its first 8 bytes, as ICAO 9303 uses it.
pub fn aes_cmac_truncated(key: &[u8; 16], data: &[u8]) -> [u8; 8] {
    let mut mac = <cmac::Cmac<Aes128> as KeyInit>::new(&Array::from(*key));
    mac.update(data);
    let full: [u8; 16] = mac.finalize().into_bytes().into();
    let mut out = [0u8; 8];
    out.copy_from_slice(&full[..8]);
    out
}

/// Compares two MACs without an early exit.
pub fn mac_equal(left: &[u8], right: &[u8]) -> bool {
    left.len() == right.len()
        && left
            .iter()
            .zip(right)
            .fold(0u8, |difference, (a, b)| difference | (a ^ b))
            == 0
}

pub fn sha1(data: &[u8]) -> [u8; 20] {
    Sha1::digest(data).into()
}

pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// The counter of the key derivation function (ICAO 9303-11 section 9.7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPurpose {
    Encryption = 1,
    Mac = 2,
    /// PACE: the key K_π that encrypts the nonce.
    Password = 3,
}

/// The block cipher a derived key is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlgorithm {
    /// Two-key 3DES: SHA-1 of seed ‖ counter, 16 bytes, DES parity adjusted.
    Tdes,
    /// AES-128: SHA-1 of seed ‖ counter, 16 bytes.
    Aes128,
}

/// KDF(K, c) of ICAO 9303-11 section 9.7.1 for a 16-byte key.
pub fn derive_key(algorithm: KeyAlgorithm, seed: &[u8], purpose: KeyPurpose) -> [u8; 16] {
    let mut hasher = Sha1::new();
    hasher.update(seed);
    hasher.update((purpose as u32).to_be_bytes());
    let digest: [u8; 20] = hasher.finalize().into();
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    if algorithm == KeyAlgorithm::Tdes {
        adjust_des_parity(&mut key);
    }
    key
}

/// Sets the low bit of every byte so that each byte has odd parity (DES key convention).
fn adjust_des_parity(key: &mut [u8]) {
    for byte in key {
        let high_bits_ones = (*byte >> 1).count_ones();
        *byte = (*byte & 0xFE) | u8::from(high_bits_ones % 2 == 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    #[test]
    fn padding_round_trips_and_refuses_missing_marker() {
        assert_eq!(pad(&hex!("0CA4020C"), 8), hex!("0CA4020C80000000"));
        assert_eq!(pad(&[1; 8], 8).len(), 16);
        assert_eq!(unpad(&hex!("0102800000")), Some(&hex!("0102")[..]));
        assert_eq!(unpad(&hex!("0102000000")), None);
        assert_eq!(unpad(&[]), None);
    }

    #[test]
    fn retail_mac_matches_iso_9797_1_annex_b4() {
        let key = hex!("0123456789ABCDEFFEDCBA9876543210");
        assert_eq!(
            retail_mac(&key, b"Now is the time for all "),
            hex!("A1C72E74EA3FA9B6")
        );
    }

    #[test]
    fn aes_cmac_matches_rfc_4493_example_2() {
        let key = hex!("2B7E151628AED2A6ABF7158809CF4F3C");
        let message = hex!("6BC1BEE22E409F96E93D7E117393172A");
        assert_eq!(aes_cmac_truncated(&key, &message), hex!("070A16B46B4D4144"));
    }

    #[test]
    fn kdf_gives_the_appendix_d_bac_keys() {
        let seed = hex!("239AB9CB282DAF66231DC5A4DF6BFBAE");
        let encryption = derive_key(KeyAlgorithm::Tdes, &seed, KeyPurpose::Encryption);
        assert_eq!(encryption, hex!("AB94FDECF2674FDFB9B391F85D7F76F2"));
        let mac = derive_key(KeyAlgorithm::Tdes, &seed, KeyPurpose::Mac);
        assert_eq!(mac, hex!("7962D9ECE03D1ACD4C76089DCE131543"));
    }

    #[test]
    fn cbc_round_trips() {
        let key = [7u8; 16];
        let mut data = *b"sixteen byte msgsixteen byte msg";
        tdes_cbc_encrypt(&key, &mut data);
        assert_ne!(&data, b"sixteen byte msgsixteen byte msg");
        tdes_cbc_decrypt(&key, &mut data);
        assert_eq!(&data, b"sixteen byte msgsixteen byte msg");
        aes_cbc_encrypt(&key, &[1; 16], &mut data);
        aes_cbc_decrypt(&key, &[1; 16], &mut data);
        assert_eq!(&data, b"sixteen byte msgsixteen byte msg");
    }
}
