//! BER-TLV as ISO/IEC 7816-4 and ICAO 9303 use it: tags of one to three bytes, definite
//! lengths in short form or long form (81, 82, 83 and 84 prefixes).
//!
//! Decoding borrows from the input ([`TlvRef`]) so that reading a data group or a secure
//! messaging response allocates nothing; encoding appends to a `Vec`. Decoding never panics:
//! truncated input, indefinite lengths, over-long tags and lengths that run past the end all
//! come back as a [`TlvError`].

/// The longest tag accepted: three bytes (every tag ICAO 9303 and TR-03110 use fits).
pub const TAG_LENGTH_MAX: usize = 3;
/// Long-form lengths use at most four length bytes (84 xx xx xx xx).
pub const LENGTH_BYTES_MAX: usize = 4;

/// A tag, held as its encoded bytes read big-endian: `0x5F1F`, `0x7F49`, `0x87`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(pub u32);

impl std::fmt::Debug for Tag {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "Tag({:X})", self.0)
    }
}

impl Tag {
    /// True when the value is itself a sequence of TLVs (bit 6 of the first byte).
    pub fn is_constructed(self) -> bool {
        self.first_byte() & 0x20 != 0
    }

    fn first_byte(self) -> u8 {
        let bytes = self.0.to_be_bytes();
        bytes[4 - self.encoded_length()]
    }

    /// Number of bytes the tag takes on the wire.
    pub fn encoded_length(self) -> usize {
        match self.0 {
            0..=0xFF => 1,
            0x100..=0xFFFF => 2,
            0x1_0000..=0xFF_FFFF => 3,
            _ => 4,
        }
    }

    /// True when the bytes of the tag form a well-formed BER tag of at most three bytes.
    pub fn is_well_formed(self) -> bool {
        let length = self.encoded_length();
        if length > TAG_LENGTH_MAX {
            return false;
        }
        let bytes = &self.0.to_be_bytes()[4 - length..];
        matches!(parse_tag(bytes), Ok((tag, rest)) if tag == self && rest.is_empty())
    }

    pub fn append_to(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0.to_be_bytes()[4 - self.encoded_length()..]);
    }
}

/// Why bytes are not BER-TLV.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlvError {
    #[error("the input ended inside a tag")]
    TruncatedTag,
    #[error("a tag is longer than {TAG_LENGTH_MAX} bytes")]
    TagTooLong,
    #[error("the input ended inside a length")]
    TruncatedLength,
    #[error("length byte {0:02X} is not a definite length of at most {LENGTH_BYTES_MAX} bytes")]
    UnsupportedLength(u8),
    #[error("the value needs {declared} bytes but only {available} remain")]
    TruncatedValue { declared: usize, available: usize },
    #[error("expected tag {expected:X}, found {found:X}")]
    UnexpectedTag { expected: u32, found: u32 },
    #[error("tag {0:X} is missing")]
    Missing(u32),
    #[error("{0} bytes follow the last TLV")]
    TrailingBytes(usize),
}

/// One decoded TLV, borrowing its value from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TlvRef<'a> {
    pub tag: Tag,
    pub value: &'a [u8],
}

impl<'a> TlvRef<'a> {
    /// Decodes the first TLV of `input`, returning it and the bytes after it.
    pub fn decode_first(input: &'a [u8]) -> Result<(TlvRef<'a>, &'a [u8]), TlvError> {
        let (tag, rest) = parse_tag(input)?;
        let (length, rest) = parse_length(rest)?;
        if rest.len() < length {
            return Err(TlvError::TruncatedValue {
                declared: length,
                available: rest.len(),
            });
        }
        let (value, rest) = rest.split_at(length);
        Ok((TlvRef { tag, value }, rest))
    }

    /// Decodes exactly one TLV that fills `input` and carries `tag`.
    pub fn decode_exact(input: &'a [u8], tag: Tag) -> Result<TlvRef<'a>, TlvError> {
        let (tlv, rest) = TlvRef::decode_first(input)?;
        if tlv.tag != tag {
            return Err(TlvError::UnexpectedTag {
                expected: tag.0,
                found: tlv.tag.0,
            });
        }
        if !rest.is_empty() {
            return Err(TlvError::TrailingBytes(rest.len()));
        }
        Ok(tlv)
    }

    /// The TLVs inside this one's value.
    pub fn children(&self) -> TlvIterator<'a> {
        TlvIterator::new(self.value)
    }

    /// The first child with `tag`.
    pub fn child(&self, tag: Tag) -> Result<TlvRef<'a>, TlvError> {
        find(self.value, tag)
    }
}

/// Iterates over consecutive TLVs; after the first error it yields nothing more.
#[derive(Debug, Clone)]
pub struct TlvIterator<'a> {
    rest: &'a [u8],
    failed: bool,
}

impl<'a> TlvIterator<'a> {
    pub fn new(input: &'a [u8]) -> TlvIterator<'a> {
        TlvIterator {
            rest: input,
            failed: false,
        }
    }
}

impl<'a> Iterator for TlvIterator<'a> {
    type Item = Result<TlvRef<'a>, TlvError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.rest.is_empty() {
            return None;
        }
        match TlvRef::decode_first(self.rest) {
            Ok((tlv, rest)) => {
                self.rest = rest;
                Some(Ok(tlv))
            }
            Err(error) => {
                self.failed = true;
                Some(Err(error))
            }
        }
    }
}

/// Decodes all consecutive TLVs of `input`.
pub fn decode_all(input: &[u8]) -> Result<Vec<TlvRef<'_>>, TlvError> {
    TlvIterator::new(input).collect()
}

/// The first TLV with `tag` among the consecutive TLVs of `input`.
pub fn find(input: &[u8], tag: Tag) -> Result<TlvRef<'_>, TlvError> {
    for tlv in TlvIterator::new(input) {
        let tlv = tlv?;
        if tlv.tag == tag {
            return Ok(tlv);
        }
    }
    Err(TlvError::Missing(tag.0))
}

fn parse_tag(input: &[u8]) -> Result<(Tag, &[u8]), TlvError> {
    let (&first, mut rest) = input.split_first().ok_or(TlvError::TruncatedTag)?;
    let mut tag = u32::from(first);
    if first & 0x1F != 0x1F {
        return Ok((Tag(tag), rest));
    }
    for length in 2..=TAG_LENGTH_MAX {
        let (&next, after) = rest.split_first().ok_or(TlvError::TruncatedTag)?;
        tag = (tag << 8) | u32::from(next);
        rest = after;
        if next & 0x80 == 0 {
            return Ok((Tag(tag), rest));
        }
        debug_assert!(length < TAG_LENGTH_MAX || next & 0x80 != 0);
    }
    Err(TlvError::TagTooLong)
}

fn parse_length(input: &[u8]) -> Result<(usize, &[u8]), TlvError> {
    let (&first, rest) = input.split_first().ok_or(TlvError::TruncatedLength)?;
    if first < 0x80 {
        return Ok((usize::from(first), rest));
    }
    let count = usize::from(first & 0x7F);
    if count == 0 || count > LENGTH_BYTES_MAX {
        return Err(TlvError::UnsupportedLength(first));
    }
    if rest.len() < count {
        return Err(TlvError::TruncatedLength);
    }
    let (bytes, rest) = rest.split_at(count);
    let length = bytes
        .iter()
        .fold(0usize, |length, &byte| (length << 8) | usize::from(byte));
    Ok((length, rest))
}

/// Appends the BER length of `length` in its shortest form.
pub fn append_length(out: &mut Vec<u8>, length: usize) {
    debug_assert!(u32::try_from(length).is_ok());
    match length {
        0..=0x7F => out.push(length as u8),
        0x80..=0xFF => out.extend_from_slice(&[0x81, length as u8]),
        0x100..=0xFFFF => {
            out.push(0x82);
            out.extend_from_slice(&(length as u16).to_be_bytes());
        }
        0x1_0000..=0xFF_FFFF => {
            out.push(0x83);
            out.extend_from_slice(&(length as u32).to_be_bytes()[1..]);
        }
        _ => {
            out.push(0x84);
            out.extend_from_slice(&(length as u32).to_be_bytes());
        }
    }
}

/// Appends one TLV.
pub fn append(out: &mut Vec<u8>, tag: Tag, value: &[u8]) {
    debug_assert!(tag.is_well_formed());
    tag.append_to(out);
    append_length(out, value.len());
    out.extend_from_slice(value);
}

/// One TLV as a new `Vec`.
pub fn encode(tag: Tag, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 6);
    append(&mut out, tag, value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;
    use proptest::prelude::*;

    #[test]
    fn decodes_nested_multi_byte_tags() {
        // The authentication token input of ICAO 9303-11 Appendix G.1.
        let input = hex!(
            "7F494F060A04007F000702020402028641049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094"
        );
        let outer = TlvRef::decode_exact(&input, Tag(0x7F49)).unwrap();
        assert!(outer.tag.is_constructed());
        let children = decode_all(outer.value).unwrap();
        assert_eq!(children.len(), 2);
        assert_eq!(children[0].tag, Tag(0x06));
        assert_eq!(children[0].value, hex!("04007F00070202040202"));
        assert_eq!(outer.child(Tag(0x86)).unwrap().value.len(), 65);
        assert_eq!(
            TlvRef::decode_first(&input[..20]),
            Err(TlvError::TruncatedValue {
                declared: 0x4F,
                available: 17
            })
        );
    }

    #[test]
    fn long_form_lengths_round_trip() {
        for length in [0usize, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x1_0000] {
            let value = vec![0xAB; length];
            let encoded = encode(Tag(0x5F2E), &value);
            let decoded = TlvRef::decode_exact(&encoded, Tag(0x5F2E)).unwrap();
            assert_eq!(decoded.value.len(), length);
        }
        assert_eq!(encode(Tag(0x80), &[0; 0x80])[..3], hex!("808180"));
        assert_eq!(encode(Tag(0x80), &[0; 0x100])[..4], hex!("80820100"));
    }

    #[test]
    fn refuses_malformed_input() {
        assert_eq!(TlvRef::decode_first(&[]), Err(TlvError::TruncatedTag));
        assert_eq!(
            TlvRef::decode_first(&hex!("5F")),
            Err(TlvError::TruncatedTag)
        );
        assert_eq!(
            TlvRef::decode_first(&hex!("5F8181")),
            Err(TlvError::TagTooLong)
        );
        assert_eq!(
            TlvRef::decode_first(&hex!("5F1F")),
            Err(TlvError::TruncatedLength)
        );
        assert_eq!(
            TlvRef::decode_first(&hex!("8080")),
            Err(TlvError::UnsupportedLength(0x80))
        );
        assert_eq!(
            TlvRef::decode_first(&hex!("8085")),
            Err(TlvError::UnsupportedLength(0x85))
        );
        assert_eq!(
            TlvRef::decode_first(&hex!("808201")),
            Err(TlvError::TruncatedLength)
        );
        assert_eq!(
            TlvRef::decode_exact(&hex!("800100 00"), Tag(0x80)),
            Err(TlvError::TrailingBytes(1))
        );
        assert_eq!(
            find(&hex!("800100"), Tag(0x81)),
            Err(TlvError::Missing(0x81))
        );
    }

    fn well_formed_tag() -> impl Strategy<Value = Tag> {
        prop_oneof![
            (0u32..=0xFF).prop_filter("one byte", |byte| byte & 0x1F != 0x1F),
            (0u32..=0xFF, 0u32..0x80).prop_map(|(first, second)| ((first | 0x1F) << 8) | second),
            (0u32..=0xFF, 0x80u32..=0xFF, 0u32..0x80).prop_map(|(first, second, third)| ((first
                | 0x1F)
                << 16)
                | (second << 8)
                | third),
        ]
        .prop_map(Tag)
    }

    proptest! {
        #[test]
        fn encode_then_decode_round_trips(
            items in prop::collection::vec(
                (well_formed_tag(), prop::collection::vec(any::<u8>(), 0..300)), 0..8)
        ) {
            let mut encoded = Vec::new();
            for (tag, value) in &items {
                prop_assert!(tag.is_well_formed());
                append(&mut encoded, *tag, value);
            }
            let decoded = decode_all(&encoded).unwrap();
            prop_assert_eq!(decoded.len(), items.len());
            for (tlv, (tag, value)) in decoded.iter().zip(&items) {
                prop_assert_eq!(tlv.tag, *tag);
                prop_assert_eq!(tlv.value, &value[..]);
            }
        }

        #[test]
        fn decoding_garbage_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(items) = decode_all(&bytes) {
                let mut encoded_length = 0;
                for tlv in &items {
                    encoded_length += tlv.tag.encoded_length() + tlv.value.len();
                }
                prop_assert!(encoded_length <= bytes.len());
            }
        }
    }
}
