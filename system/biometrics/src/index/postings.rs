//! One thumb's inverted index: each key a run of postings in one array, in key order, so
//! that a run of neighbouring keys is one contiguous read.

use super::IndexError;

/// Postings of key k are `postings[offsets[k]..offsets[k + 1]]`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct PostingTable<P> {
    offsets: Vec<u32>,
    postings: Vec<P>,
}

impl<P: Copy + Default> PostingTable<P> {
    /// Builds a table of `keys` keys from every (key, posting) that `visit` hands to its
    /// callback. `visit` is called twice (count, then place) and must hand over the same
    /// postings in the same order both times, so that no list of all postings is ever held
    /// besides the table itself; within a key, postings keep that order.
    pub(super) fn build(
        keys: u32,
        mut visit: impl FnMut(&mut dyn FnMut(u32, P)),
    ) -> Result<PostingTable<P>, IndexError> {
        let mut counts = vec![0u32; keys as usize + 1];
        let mut total = 0u64;
        visit(&mut |key, _| {
            counts[key as usize] = counts[key as usize].saturating_add(1);
            total += 1;
        });
        if total >= u64::from(u32::MAX) {
            return Err(IndexError::TooManyPostings { postings: total });
        }
        let mut offsets = Vec::with_capacity(keys as usize + 1);
        let mut running = 0u32;
        for count in &counts {
            offsets.push(running);
            running += count;
        }
        drop(counts);
        let mut postings = vec![P::default(); total as usize];
        let mut next = offsets.clone();
        visit(&mut |key, posting| {
            postings[next[key as usize] as usize] = posting;
            next[key as usize] += 1;
        });
        assert!(
            next[..keys as usize] == offsets[1..],
            "both visits hand over the same postings"
        );
        Ok(PostingTable { offsets, postings })
    }

    /// Where the postings of keys `first..=last` start and end.
    pub(super) fn range(&self, first: u32, last: u32) -> (u32, u32) {
        (
            self.offsets[first as usize],
            self.offsets[last as usize + 1],
        )
    }

    /// `length` postings from `start`.
    pub(super) fn postings(&self, start: u32, length: u32) -> &[P] {
        &self.postings[start as usize..(start + length) as usize]
    }

    pub(super) fn posting_bytes(&self) -> usize {
        self.postings.len() * size_of::<P>()
    }

    pub(super) fn offset_bytes(&self) -> usize {
        self.offsets.len() * size_of::<u32>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(table: &PostingTable<u32>, first: u32, last: u32) -> &[u32] {
        let (start, end) = table.range(first, last);
        table.postings(start, end - start)
    }

    #[test]
    fn postings_land_under_their_keys_in_visiting_order() {
        let items = [(2u32, 20u32), (0, 1), (2, 21), (3, 30), (0, 2)];
        let table = PostingTable::build(4, |place| {
            for &(key, posting) in &items {
                place(key, posting);
            }
        })
        .unwrap();
        assert_eq!(run(&table, 0, 0), &[1, 2]);
        assert!(run(&table, 1, 1).is_empty());
        assert_eq!(run(&table, 2, 2), &[20, 21]);
        assert_eq!(run(&table, 1, 3), &[20, 21, 30]);
        assert_eq!(table.posting_bytes(), 5 * 4);
        assert_eq!(table.offset_bytes(), 5 * 4);
    }
}
