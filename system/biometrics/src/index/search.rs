//! A search: the shortlists of both tables, then the 1:1 matcher.

use super::{DuplicateCandidate, DuplicateIndex, SearchScratch, is_low_quality, reading};
use crate::template::Template;
use hkic_protocol::template::FingerView;

impl DuplicateIndex {
    /// Enrolled residents whose thumbs match `thumbs` (right, left), best first.
    pub fn search(
        &self,
        thumbs: [Option<&FingerView>; 2],
        scratch: &mut SearchScratch,
    ) -> Vec<DuplicateCandidate> {
        let probes = thumbs.map(|thumb| thumb.map(Template::from_view_500_ppi));
        scratch.shortlist.clear();
        self.shortlist_main(&probes, scratch);
        let qualities = thumbs.map(|thumb| thumb.map(|view| view.quality));
        if is_low_quality(qualities, self.config.low_quality_below) {
            self.shortlist_low(&probes, scratch);
        }
        // A resident both tables shortlisted is re-scored once.
        scratch
            .shortlist
            .sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        scratch.shortlist.dedup_by_key(|entry| entry.0);
        self.rescore(&probes, scratch)
    }

    fn shortlist_main(&self, probes: &[Option<Template>; 2], scratch: &mut SearchScratch) {
        scratch.hits.clear();
        scratch.hits.resize(self.gallery.len(), 0);
        for (thumb, probe) in probes.iter().enumerate() {
            if let Some(probe) = probe {
                let table = &self.main.thumbs[thumb];
                reading::count_main(
                    &self.config.main,
                    table,
                    probe,
                    &mut scratch.reads,
                    &mut scratch.hits,
                );
            }
        }
        reading::best_scores(
            &scratch.hits,
            &self.main.pairs,
            [self.main.total_pairs[0]],
            self.config.candidates,
            &mut scratch.best,
        );
        scratch.shortlist.extend(
            scratch
                .best
                .iter()
                .map(|&(_, position, hits)| (position, hits)),
        );
    }

    fn shortlist_low(&self, probes: &[Option<Template>; 2], scratch: &mut SearchScratch) {
        let slots = self.low_members.len() * 2;
        scratch.hits.clear();
        scratch.hits.resize(slots, 0);
        scratch.sums.clear();
        scratch.sums.resize(slots, [0; 3]);
        let mut centres = [(0.0, 0.0); 2];
        for (thumb, probe) in probes.iter().enumerate() {
            if let Some(probe) = probe {
                let table = &self.low.thumbs[thumb];
                centres[thumb] = reading::count_low(
                    &self.config.low,
                    table,
                    thumb,
                    probe,
                    &mut scratch.reads,
                    &mut scratch.hits,
                    &mut scratch.sums,
                );
            }
        }
        reading::best_scores(
            &scratch.hits,
            &self.low.pairs,
            self.low.total_pairs,
            self.config.low_aligned,
            &mut scratch.best,
        );
        self.rerank_low(probes, centres, scratch);
    }

    /// The shortlisted residents the 1:1 matcher accepts, best score first (then earlier
    /// enrolment).
    fn rescore(
        &self,
        probes: &[Option<Template>; 2],
        scratch: &mut SearchScratch,
    ) -> Vec<DuplicateCandidate> {
        let mut found = Vec::new();
        for &(position, hits) in &scratch.shortlist {
            let references = [0, 1].map(|thumb| self.gallery.template(position as usize, thumb));
            let verification = self.verifier.verify(
                probes.each_ref().map(Option::as_ref),
                references.each_ref().map(Option::as_ref),
                &mut scratch.matcher,
            );
            if verification.accepted {
                let resident = self.gallery.identifiers[position as usize];
                found.push((
                    position,
                    DuplicateCandidate {
                        resident,
                        score: verification.score,
                        hits,
                    },
                ));
            }
        }
        found.sort_by(|a, b| b.1.score.total_cmp(&a.1.score).then(a.0.cmp(&b.0)));
        found.into_iter().map(|(_, candidate)| candidate).collect()
    }
}
