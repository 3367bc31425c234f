//! One thumb's inverted index: triangle keys hashed to buckets, each bucket a run of
//! postings in one array.

use super::IndexConfig;
use super::IndexError;
use super::gallery::Gallery;
use super::triangle::{Triangle, TriangleConfig};

/// One thumb's inverted index: bucket b holds `postings[offsets[b]..offsets[b + 1]]`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct PostingTable {
    pub(super) offsets: Vec<u32>,
    pub(super) postings: Vec<u32>,
}

impl PostingTable {
    pub(super) fn build(
        config: &IndexConfig,
        gallery: &Gallery,
        thumb: usize,
    ) -> Result<PostingTable, IndexError> {
        let buckets = 1usize << config.bucket_bits;
        let mut counts = vec![0u32; buckets + 1];
        let mut scratch = TriangleScratch::default();
        for_each_posting(config, gallery, thumb, &mut scratch, |bucket, _| {
            counts[bucket] += 1
        });
        let total: u64 = counts.iter().map(|&count| u64::from(count)).sum();
        if total > u64::from(u32::MAX) {
            return Err(IndexError::TooManyPostings { postings: total });
        }
        let mut offsets = Vec::with_capacity(buckets + 1);
        let mut running = 0u32;
        for count in &counts {
            offsets.push(running);
            running += count;
        }
        let mut postings = vec![0u32; total as usize];
        let mut next = offsets.clone();
        for_each_posting(config, gallery, thumb, &mut scratch, |bucket, posting| {
            postings[next[bucket] as usize] = posting;
            next[bucket] += 1;
        });
        Ok(PostingTable { offsets, postings })
    }

    pub(super) fn bucket(&self, bucket: usize) -> &[u32] {
        &self.postings[self.offsets[bucket] as usize..self.offsets[bucket + 1] as usize]
    }
}

/// Calls `place(bucket, posting)` for every triangle of `thumb` of every enrolled resident,
/// in enrolment order.
fn for_each_posting(
    config: &IndexConfig,
    gallery: &Gallery,
    thumb: usize,
    scratch: &mut TriangleScratch,
    mut place: impl FnMut(usize, u32),
) {
    for position in 0..gallery.len() {
        let Some(template) = gallery.template(position, thumb) else {
            continue;
        };
        config
            .triangles
            .triangles(&template, &mut scratch.corners, &mut scratch.triangles);
        for triangle in &scratch.triangles {
            let bin = TriangleConfig::orientation_bin(triangle);
            if let Some(key) = config.triangles.key(triangle, [0; 3], bin) {
                let posting = (position as u32) << 8 | u32::from(triangle.orientation);
                place(bucket_of(key, config.bucket_bits), posting);
            }
        }
    }
}

/// Fibonacci hashing of a key to `bits` bits.
pub(super) fn bucket_of(key: u64, bits: u8) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - u32::from(bits))) as usize
}

#[derive(Debug, Default, Clone)]
pub(super) struct TriangleScratch {
    pub(super) corners: Vec<[u8; 3]>,
    pub(super) triangles: Vec<Triangle>,
}
