//! The matcher on synthetic thumbs: genuine above impostor, robust to placement,
//! deterministic, and never panicking on odd templates.

mod common;

use hkic_biometrics::{Matcher, Scratch, Template, Verifier, fuse};
use hkic_devices::biometric::{FingerQuality, SyntheticPopulation};
use hkic_protocol::template::{FingerPosition, FingerView, ImpressionType, Minutia, MinutiaKind};
use proptest::prelude::*;

fn view(minutiae: Vec<Minutia>, quality: u8) -> FingerView {
    FingerView {
        position: FingerPosition::RightThumb,
        view_number: 0,
        impression: ImpressionType::LiveScanPlain,
        quality,
        minutiae,
        extended_data: Vec::new(),
    }
}

/// `view`'s minutiae turned by `degrees` about (250, 250) and shifted, as a reader would
/// report another placement (no other noise).
fn placed(original: &FingerView, degrees: f32, shift: (f32, f32)) -> FingerView {
    let (sin, cos) = degrees.to_radians().sin_cos();
    let minutiae = original
        .minutiae
        .iter()
        .filter_map(|m| {
            // ISO angles turn counter-clockwise on screen (y down): the image turns by
            // +degrees clockwise, so angles lose that much.
            let (x, y) = (f32::from(m.x) - 250.0, f32::from(m.y) - 250.0);
            let moved_x = cos * x - sin * y + 250.0 + shift.0;
            let moved_y = sin * x + cos * y + 250.0 + shift.1;
            let turn = (degrees / 360.0 * 256.0).round() as i32;
            let angle = (i32::from(m.angle) - turn).rem_euclid(256) as u8;
            (moved_x >= 0.0 && moved_y >= 0.0).then(|| Minutia {
                x: moved_x.round() as u16,
                y: moved_y.round() as u16,
                angle,
                ..*m
            })
        })
        .collect();
    view(minutiae, original.quality)
}

#[test]
fn a_print_matches_itself_however_it_is_placed() {
    let population = SyntheticPopulation::new(5);
    let matcher = Matcher::default();
    let mut scratch = Scratch::default();
    for resident in 0..20 {
        let Some(original) = population.capture_thumbs(resident, 0)[0].clone() else {
            continue;
        };
        let reference = Template::from_view_500_ppi(&original);
        for (degrees, shift) in [
            (0.0, (0.0, 0.0)),
            (28.0, (40.0, -35.0)),
            (-29.0, (-50.0, 50.0)),
        ] {
            let moved = Template::from_view_500_ppi(&placed(&original, degrees, shift));
            let score = matcher.compare(&moved, &reference, &mut scratch);
            assert!(
                score > 60.0,
                "resident {resident}, {degrees} degrees: {score}"
            );
        }
    }
}

fn as_refs(thumbs: &[Option<Template>; 2]) -> [Option<&Template>; 2] {
    thumbs.each_ref().map(Option::as_ref)
}

#[test]
fn genuine_comparisons_outscore_impostors() {
    let population = SyntheticPopulation::new(6);
    let verifier = Verifier::default();
    let mut scratch = Scratch::default();
    let enrolled: Vec<_> = (0..200)
        .map(|r| common::templates(&population, r, 0))
        .collect();
    let probes: Vec<_> = (0..200)
        .map(|r| common::templates(&population, r, 1))
        .collect();
    let (mut accepted_normal, mut normal, mut false_accepts) = (0, 0, 0);
    for resident in 0..200usize {
        let genuine = verifier.verify(
            as_refs(&probes[resident]),
            as_refs(&enrolled[resident]),
            &mut scratch,
        );
        if population.resident(resident as u64).quality == FingerQuality::Normal {
            normal += 1;
            accepted_normal += usize::from(genuine.accepted);
        }
        for other in [(resident + 1) % 200, (resident + 77) % 200] {
            let impostor = verifier.verify(
                as_refs(&probes[resident]),
                as_refs(&enrolled[other]),
                &mut scratch,
            );
            false_accepts += usize::from(impostor.accepted);
            assert!(
                impostor.score < genuine.score
                    || population.resident(resident as u64).quality == FingerQuality::Poor
            );
        }
    }
    assert_eq!(accepted_normal, normal, "every normal resident is accepted");
    assert_eq!(false_accepts, 0);
}

#[test]
fn the_same_seed_gives_the_same_scores() {
    let run = || {
        let population = SyntheticPopulation::new(8);
        let matcher = Matcher::default();
        let mut scratch = Scratch::default();
        (0..30)
            .map(|r| {
                let [probe, _] = common::templates(&population, r, 1);
                let [reference, _] = common::templates(&population, (r * 7) % 30, 0);
                match (probe, reference) {
                    (Some(p), Some(q)) => matcher.compare(&p, &q, &mut scratch).to_bits(),
                    _ => 0,
                }
            })
            .collect::<Vec<u32>>()
    };
    assert_eq!(run(), run());
}

#[test]
fn fusion_adds_the_thumbs_that_exist() {
    assert_eq!(fuse([Some(12.5), Some(-3.0)]), 9.5);
    assert_eq!(fuse([None, Some(7.0)]), 7.0);
    assert_eq!(fuse([None, None]), 0.0);
}

#[test]
fn empty_and_tiny_templates_score_without_panicking() {
    let matcher = Matcher::default();
    let mut scratch = Scratch::default();
    let empty = Template::from_view_500_ppi(&view(vec![], 50));
    let one = Template::from_view_500_ppi(&view(
        vec![Minutia {
            x: 10,
            y: 10,
            angle: 0,
            kind: MinutiaKind::RidgeEnding,
            quality: 50,
        }],
        80,
    ));
    for (a, b) in [
        (&empty, &empty),
        (&empty, &one),
        (&one, &empty),
        (&one, &one),
    ] {
        assert!(matcher.compare(a, b, &mut scratch).is_finite());
    }
}

fn any_view() -> impl Strategy<Value = FingerView> {
    let minutia = (0u16..2000, 0u16..2000, any::<u8>(), 0u8..3, 0u8..=100).prop_map(
        |(x, y, angle, kind, quality)| Minutia {
            x,
            y,
            angle,
            kind: MinutiaKind::from_code(kind).unwrap(),
            quality,
        },
    );
    (prop::collection::vec(minutia, 0..150), 0u8..=100)
        .prop_map(|(minutiae, quality)| view(minutiae, quality))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn any_two_views_compare_to_a_finite_score(a in any_view(), b in any_view()) {
        let matcher = Matcher::default();
        let mut scratch = Scratch::default();
        let (a, b) = (Template::from_view_500_ppi(&a), Template::from_view_500_ppi(&b));
        prop_assert!(matcher.compare(&a, &b, &mut scratch).is_finite());
    }
}
