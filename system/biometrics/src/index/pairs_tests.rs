use super::*;
use crate::geometry::Transform;

/// A template of five minutiae moved by `transform`.
fn template(transform: &Transform) -> Template {
    let points = [
        (0.0, 0.0, 0.3, MinutiaKind::RidgeEnding),
        (45.0, 10.0, 1.9, MinutiaKind::Bifurcation),
        (20.0, 50.0, 4.0, MinutiaKind::RidgeEnding),
        (-40.0, 30.0, 2.5, MinutiaKind::Bifurcation),
        (10.0, -45.0, 5.5, MinutiaKind::RidgeEnding),
    ];
    let moved = points.iter().map(|&(x, y, direction, kind)| {
        let (x, y) = transform.apply(x, y);
        (x, y, direction + transform.rotation, kind)
    });
    Template::from_points(moved, 80)
}

fn config() -> PairConfig {
    PairConfig {
        length_min: 20.0,
        length_max: 80.0,
    }
}

fn quantisation() -> Quantisation {
    Quantisation {
        length_bin: 10.0,
        direction_bins: 12,
        radius_bin: 20.0,
        radius_bins: 12,
        bearing_bins: 16,
        orientation_bins: 16,
    }
}

fn reach() -> Reach {
    Reach {
        length: 3.0,
        direction: 6.0,
        radius: 6.0,
        bearing: 6.0,
        rotation: 25.0,
    }
}

fn pairs_of(template: &Template) -> Vec<Pair> {
    let mut pairs = Vec::new();
    config().pairs(template, &mut HullScratch::default(), &mut pairs);
    pairs
}

#[test]
fn pairs_are_stored_pointing_right_and_reverse_exactly() {
    let pairs = pairs_of(&template(&Transform::IDENTITY));
    assert!(!pairs.is_empty());
    for pair in &pairs {
        assert!(pair.is_stored_way(), "{pair:?}");
        let back = pair.reversed().reversed();
        assert!((back.first_direction - pair.first_direction).abs() < 1e-3);
        assert!((back.bearing - pair.bearing).abs() < 1e-3);
        assert_eq!(back.kinds, pair.kinds);
        assert!(!pair.reversed().is_stored_way() || pair.orientation.round() as u32 % 256 == 192);
    }
}

#[test]
fn a_moved_finger_gives_pairs_a_search_reaches() {
    let here = pairs_of(&template(&Transform::IDENTITY));
    let moved = Transform {
        rotation: 0.35,
        translation_x: 30.0,
        translation_y: -25.0,
    };
    let there = pairs_of(&template(&moved));
    assert_eq!(here.len(), there.len());
    let (config, quantisation, reach) = (config(), quantisation(), reach());
    let mut runs = Vec::new();
    for stored in &here {
        let key = quantisation.key(&config, stored);
        // Some probe pair, one way round or the other, reaches the stored key.
        let reached = there.iter().any(|probe| {
            [*probe, probe.reversed()].iter().any(|directed| {
                runs.clear();
                quantisation.runs(&config, &reach, directed, &mut runs);
                runs.iter().any(|run| (run.first..=run.last).contains(&key))
            })
        });
        assert!(reached, "{stored:?}");
    }
}

#[test]
fn keys_stay_within_the_table_and_runs_within_their_bins() {
    let (config, quantisation, reach) = (config(), quantisation(), reach());
    assert!(quantisation.is_valid(&config));
    let keys = quantisation.keys(&config);
    assert_eq!(keys, 8 * 4 * 7 * 12 * 12 * 12 * 16);
    let mut runs = Vec::new();
    for pair in pairs_of(&template(&Transform::IDENTITY)) {
        assert!(u64::from(quantisation.key(&config, &pair)) < keys);
        for directed in [pair, pair.reversed()] {
            runs.clear();
            quantisation.runs(&config, &reach, &directed, &mut runs);
            for run in &runs {
                assert!(run.first <= run.last && u64::from(run.last) < keys);
                // A run never crosses into the next radius bin: at most every bearing.
                assert!(run.last - run.first < u32::from(quantisation.bearing_bins));
            }
        }
    }
}

#[test]
fn bad_quantisations_are_refused() {
    let config = config();
    let odd = Quantisation {
        orientation_bins: 15,
        ..quantisation()
    };
    assert!(!odd.is_valid(&config));
    let no_width = Quantisation {
        length_bin: 0.0,
        ..quantisation()
    };
    assert!(!no_width.is_valid(&config));
    let too_many = Quantisation {
        direction_bins: 255,
        bearing_bins: 255,
        radius_bins: 255,
        ..quantisation()
    };
    assert!(!too_many.is_valid(&config));
}

#[test]
fn the_hull_centre_ignores_minutiae_inside() {
    let square = |inside: &[(f32, f32)]| {
        let corners = [(-50.0, -50.0), (50.0, -50.0), (50.0, 50.0), (-50.0, 50.0)];
        let points = corners
            .iter()
            .chain(inside)
            .map(|&(x, y)| (x, y, 0.0, MinutiaKind::RidgeEnding));
        Template::from_points(points, 80)
    };
    let mut scratch = HullScratch::default();
    // Centred on the centroid: the square's centre is where the template's origin was put.
    let plain = square(&[]);
    let (x, y) = hull_centre(&plain, &mut scratch);
    assert!(x.abs() < 1e-3 && y.abs() < 1e-3, "({x}, {y})");
    // Three minutiae in one corner pull the centroid, not the hull's centre.
    let crowded = square(&[(30.0, 30.0), (35.0, 20.0), (20.0, 38.0)]);
    let (x, y) = hull_centre(&crowded, &mut scratch);
    let centroid_shift = (30.0 + 35.0 + 20.0) / 7.0;
    // The square's centre sits at minus the centroid's shift in the template's frame.
    assert!((x + centroid_shift).abs() < 0.01, "{x}");
    assert!((y + (30.0 + 20.0 + 38.0) / 7.0).abs() < 0.01, "{y}");
}
