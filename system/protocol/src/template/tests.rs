//! Field layout against hand-built bytes, round trips, and the malformed-input table.

use super::*;
use proptest::prelude::*;

/// A record with one view (left thumb, 2 minutiae), written out field by field.
#[rustfmt::skip]
const HAND_BUILT: [u8; 42] = [
    0x46, 0x4D, 0x52, 0x00,       // "FMR\0"
    0x20, 0x32, 0x30, 0x00,       // " 20\0"
    0x00, 0x00, 0x00, 0x2A,       // record length 42
    0x11, 0x23,                   // certification 1, device type 0x123
    0x01, 0xF4, 0x01, 0xF4,       // 500 x 500 pixels
    0x00, 0xC5, 0x00, 0xC5,       // 197 x 197 pixels per cm
    0x01, 0x00,                   // one view, reserved
    0x06, 0x00, 0x50, 0x02,       // left thumb, view 0 live-scan plain, quality 80, 2 minutiae
    0x40, 0x64, 0x00, 0xC8, 0x40, 0x5A, // ending at (100, 200), 90 degrees, quality 90
    0x81, 0xF3, 0x00, 0x00, 0xFF, 0x00, // bifurcation at (499, 0), angle 255, quality 0
    0x00, 0x00,                   // no extended data
];

fn hand_built_record() -> MinutiaeRecord {
    MinutiaeRecord {
        capture_equipment: CaptureEquipment {
            certification: 1,
            device_type: 0x123,
        },
        image_width_pixels: 500,
        image_height_pixels: 500,
        resolution_x_pixels_per_centimetre: RESOLUTION_500_PPI,
        resolution_y_pixels_per_centimetre: RESOLUTION_500_PPI,
        views: vec![FingerView {
            position: FingerPosition::LeftThumb,
            view_number: 0,
            impression: ImpressionType::LiveScanPlain,
            quality: 80,
            minutiae: vec![
                Minutia {
                    x: 100,
                    y: 200,
                    angle: 64,
                    kind: MinutiaKind::RidgeEnding,
                    quality: 90,
                },
                Minutia {
                    x: 499,
                    y: 0,
                    angle: 255,
                    kind: MinutiaKind::Bifurcation,
                    quality: 0,
                },
            ],
            extended_data: Vec::new(),
        }],
    }
}

#[test]
fn encodes_the_standard_field_layout() {
    assert_eq!(hand_built_record().encode().unwrap(), HAND_BUILT);
    assert_eq!(
        MinutiaeRecord::decode(&HAND_BUILT).unwrap(),
        hand_built_record()
    );
}

#[test]
fn encodes_views_with_extended_data_and_view_numbers() {
    let mut record = hand_built_record();
    let mut second = record.views[0].clone();
    second.view_number = 3;
    second.impression = ImpressionType::Swipe;
    second.minutiae.truncate(1);
    second.extended_data = vec![0x00, 0x01, 0x00, 0x05, 0x07];
    record.views.push(second);
    let bytes = record.encode().unwrap();
    assert_eq!(bytes.len(), 42 + 4 + 6 + 2 + 5);
    assert_eq!(&bytes[8..12], &[0, 0, 0, 59]);
    assert_eq!(bytes[22], 2, "two views");
    let view = &bytes[42..];
    assert_eq!(&view[..4], &[0x06, 0x38, 0x50, 0x01], "view 3, swipe (8)");
    assert_eq!(&view[10..12], &[0x00, 0x05], "extended data length");
    assert_eq!(MinutiaeRecord::decode(&bytes).unwrap(), record);
}

#[test]
fn compact_card_bytes_follow_the_field_layout() {
    let minutiae = &hand_built_record().views[0].minutiae;
    let bytes = encode_compact(minutiae, RESOLUTION_500_PPI, RESOLUTION_500_PPI).unwrap();
    // 100 px / 1.97 = 50.8 -> 51; 200 px -> 101.5 -> 102; 90 degrees = 16 steps of 5.625;
    // 499 px -> 253.3 -> 253; angle 255 of 256 rounds up to a full turn, 0.
    assert_eq!(bytes, [51, 102, 0x40 | 16, 253, 0, 0x80]);
    let decoded = decode_compact(&bytes, RESOLUTION_500_PPI, RESOLUTION_500_PPI).unwrap();
    assert_eq!(
        decoded,
        [
            Minutia {
                x: 100,
                y: 201,
                angle: 64,
                kind: MinutiaKind::RidgeEnding,
                quality: 0,
            },
            Minutia {
                x: 498,
                y: 0,
                angle: 0,
                kind: MinutiaKind::Bifurcation,
                quality: 0,
            },
        ]
    );
}

/// HAND_BUILT with `edits` (offset, value) applied.
fn edited(edits: &[(usize, u8)]) -> Vec<u8> {
    let mut bytes = HAND_BUILT.to_vec();
    for &(offset, value) in edits {
        bytes[offset] = value;
    }
    bytes
}

/// HAND_BUILT with `extra` appended and the record length fixed up.
fn extended(extra: &[u8]) -> Vec<u8> {
    let mut bytes = HAND_BUILT.to_vec();
    bytes.extend_from_slice(extra);
    let length = bytes.len() as u32;
    bytes[8..12].copy_from_slice(&length.to_be_bytes());
    bytes
}

fn out_of_range(field: &'static str, value: u32, expected: &'static str) -> TemplateError {
    TemplateError::OutOfRange {
        field,
        value,
        expected,
    }
}

#[test]
fn malformed_records_get_typed_errors() {
    let second_view = [0x06, 0x00, 0x50, 0x00, 0x00, 0x00];
    let cases: Vec<(&str, Vec<u8>, TemplateError)> = vec![
        (
            "empty",
            vec![],
            TemplateError::Truncated {
                field: "format identifier",
                offset: 0,
                needed: 4,
                available: 0,
            },
        ),
        (
            "identifier only",
            b"FMR\0".to_vec(),
            TemplateError::Truncated {
                field: "version",
                offset: 4,
                needed: 4,
                available: 0,
            },
        ),
        (
            "not FMR",
            edited(&[(1, b'I')]),
            TemplateError::BadFormatIdentifier { found: *b"FIR\0" },
        ),
        (
            "2011 version",
            edited(&[(5, b'3')]),
            TemplateError::UnsupportedVersion { found: *b" 30\0" },
        ),
        (
            "length says 43",
            edited(&[(11, 43)]),
            TemplateError::RecordLengthMismatch {
                declared: 43,
                actual: 42,
            },
        ),
        (
            "cut in the header",
            {
                let mut bytes = HAND_BUILT[..20].to_vec();
                bytes[11] = 20;
                bytes
            },
            TemplateError::Truncated {
                field: "y resolution",
                offset: 20,
                needed: 2,
                available: 0,
            },
        ),
        (
            "zero width",
            edited(&[(14, 0), (15, 0)]),
            out_of_range("image width", 0, "1 to 16383 pixels"),
        ),
        (
            "zero resolution",
            edited(&[(18, 0), (19, 0)]),
            out_of_range("x resolution", 0, "more than 0 pixels per cm"),
        ),
        (
            "no views",
            edited(&[(22, 0)]),
            out_of_range("number of finger views", 0, "1 to 255"),
        ),
        (
            "reserved header byte",
            edited(&[(23, 7)]),
            TemplateError::ReservedNotZero {
                field: "byte of the record header",
                value: 7,
            },
        ),
        (
            "finger position 11",
            edited(&[(24, 11)]),
            TemplateError::BadFingerPosition { view: 0, code: 11 },
        ),
        (
            "impression type 5",
            edited(&[(25, 0x05)]),
            TemplateError::BadImpressionType { view: 0, code: 5 },
        ),
        (
            "finger quality 101",
            edited(&[(26, 101)]),
            out_of_range("finger quality", 101, "0 to 100"),
        ),
        (
            "minutia type 11",
            edited(&[(28, 0xC0)]),
            TemplateError::BadMinutiaKind {
                view: 0,
                minutia: 0,
            },
        ),
        (
            "reserved y bits",
            edited(&[(30, 0x40)]),
            TemplateError::ReservedNotZero {
                field: "bits above a minutia's y",
                value: 1,
            },
        ),
        (
            "x outside the image",
            edited(&[(34, 0x81), (35, 0xF4)]),
            TemplateError::MinutiaOutsideImage {
                view: 0,
                minutia: 1,
                x: 500,
                y: 0,
                width: 500,
                height: 500,
            },
        ),
        (
            "minutia quality 101",
            edited(&[(33, 101)]),
            TemplateError::BadMinutiaQuality {
                view: 0,
                minutia: 0,
                quality: 101,
            },
        ),
        (
            "three minutiae claimed",
            edited(&[(27, 3)]),
            TemplateError::Truncated {
                field: "minutia",
                offset: 40,
                needed: 6,
                available: 2,
            },
        ),
        (
            "extended data missing",
            edited(&[(41, 5)]),
            TemplateError::Truncated {
                field: "extended data block",
                offset: 42,
                needed: 5,
                available: 0,
            },
        ),
        (
            "trailing byte",
            extended(&[0xAA]),
            TemplateError::TrailingBytes { count: 1 },
        ),
        (
            "same view twice",
            {
                let mut bytes = extended(&second_view);
                bytes[22] = 2;
                bytes
            },
            TemplateError::DuplicateView {
                first: 0,
                second: 1,
                position: FingerPosition::LeftThumb,
                view_number: 0,
            },
        ),
    ];
    assert!(cases.len() >= 10);
    for (name, bytes, expected) in cases {
        assert_eq!(MinutiaeRecord::decode(&bytes), Err(expected), "{name}");
    }
}

#[test]
fn malformed_compact_data_gets_typed_errors() {
    let cases: Vec<(&str, Vec<u8>, u16, TemplateError)> = vec![
        (
            "four bytes",
            vec![1, 2, 3, 4],
            197,
            TemplateError::CompactLengthNotMultipleOfThree { length: 4 },
        ),
        (
            "type 11",
            vec![1, 2, 3, 1, 2, 0xC3],
            197,
            TemplateError::BadMinutiaKind {
                view: 0,
                minutia: 1,
            },
        ),
        (
            "zero resolution",
            vec![],
            0,
            out_of_range(
                "x resolution",
                0,
                "1 to 6424 pixels per cm, so that 25.5 mm fits in 16,383 pixels",
            ),
        ),
        (
            "256 minutiae",
            vec![0; 768],
            197,
            out_of_range("number of minutiae", 256, "0 to 255"),
        ),
    ];
    for (name, bytes, resolution, expected) in cases {
        assert_eq!(
            decode_compact(&bytes, resolution, 197),
            Err(expected),
            "{name}"
        );
    }
}

#[test]
fn encoding_refuses_what_decoding_would_refuse() {
    let mut record = hand_built_record();
    record.views[0].minutiae[0].x = 600;
    assert!(matches!(
        record.encode(),
        Err(TemplateError::MinutiaOutsideImage { .. })
    ));
    let mut record = hand_built_record();
    record.views[0].view_number = 16;
    assert_eq!(
        record.encode(),
        Err(out_of_range("view number", 16, "0 to 15"))
    );
    let mut record = hand_built_record();
    record.capture_equipment.device_type = 0x1000;
    assert_eq!(
        record.encode(),
        Err(out_of_range("capture device type", 4096, "0 to 4095"))
    );
    let far = Minutia {
        x: 600,
        ..hand_built_record().views[0].minutiae[0]
    };
    assert_eq!(
        encode_compact(&[far], 197, 197),
        Err(TemplateError::CompactCoordinateTooLarge {
            minutia: 0,
            axis: "x",
            pixels: 600,
            units: 305
        })
    );
}

#[test]
fn card_selection_removes_low_quality_then_far_minutiae() {
    let at = |x: u16, quality: u8, kind: MinutiaKind| Minutia {
        x,
        y: 100,
        angle: 0,
        kind,
        quality,
    };
    let minutiae = [
        at(100, 50, MinutiaKind::RidgeEnding),
        at(110, 20, MinutiaKind::RidgeEnding), // lowest quality: first out
        at(300, 50, MinutiaKind::RidgeEnding), // farthest of the rest: second out
        at(120, 50, MinutiaKind::Bifurcation),
    ];
    assert_eq!(select_for_card(&minutiae, 4), minutiae);
    assert_eq!(
        select_for_card(&minutiae, 3),
        [minutiae[0], minutiae[2], minutiae[3]]
    );
    assert_eq!(select_for_card(&minutiae, 2), [minutiae[0], minutiae[3]]);
    assert!(select_for_card(&minutiae, 0).is_empty());
}

fn minutia_in(width: u16, height: u16) -> impl Strategy<Value = Minutia> {
    (0..width, 0..height, any::<u8>(), 0u8..3, 0u8..=100).prop_map(
        |(x, y, angle, kind, quality)| Minutia {
            x,
            y,
            angle,
            kind: MinutiaKind::from_code(kind).unwrap(),
            quality,
        },
    )
}

fn record_strategy() -> impl Strategy<Value = MinutiaeRecord> {
    (1u16..=COORDINATE_MAX, 1u16..=COORDINATE_MAX).prop_flat_map(|(width, height)| {
        let view = (
            0u8..=10,
            0u8..=15,
            prop::sample::select(vec![0u8, 1, 2, 3, 8]),
            0u8..=100,
            prop::collection::vec(minutia_in(width, height), 0..40),
            prop::collection::vec(any::<u8>(), 0..20),
        )
            .prop_map(
                |(position, view_number, impression, quality, minutiae, extended_data)| {
                    FingerView {
                        position: FingerPosition::from_code(position).unwrap(),
                        view_number,
                        impression: ImpressionType::from_code(impression).unwrap(),
                        quality,
                        minutiae,
                        extended_data,
                    }
                },
            );
        (
            0u8..16,
            0u16..0x1000,
            1u16..,
            1u16..,
            prop::collection::vec(view, 1..4),
        )
            .prop_map(
                move |(certification, device_type, resolution_x, resolution_y, mut views)| {
                    for (number, view) in views.iter_mut().enumerate() {
                        view.view_number = number as u8; // distinct views
                    }
                    MinutiaeRecord {
                        capture_equipment: CaptureEquipment {
                            certification,
                            device_type,
                        },
                        image_width_pixels: width,
                        image_height_pixels: height,
                        resolution_x_pixels_per_centimetre: resolution_x,
                        resolution_y_pixels_per_centimetre: resolution_y,
                        views,
                    }
                },
            )
    })
}

proptest! {
    #[test]
    fn records_round_trip(record in record_strategy()) {
        let bytes = record.encode().unwrap();
        prop_assert_eq!(MinutiaeRecord::decode(&bytes).unwrap(), record);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = MinutiaeRecord::decode(&bytes);
        let _ = decode_compact(&bytes, 197, 197);
    }

    #[test]
    fn corrupted_records_never_panic(
        record in record_strategy(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut bytes = record.encode().unwrap();
        for (index, value) in flips {
            let at = index.index(bytes.len());
            bytes[at] = value;
        }
        let _ = MinutiaeRecord::decode(&bytes);
    }

    #[test]
    fn compact_bytes_round_trip(
        minutiae in prop::collection::vec((any::<u8>(), any::<u8>(), 0u8..3, 0u8..64), 0..60),
        resolution in 100u16..=6424, // exact while a pixel is at most 0.1 mm
    ) {
        let bytes: Vec<u8> = minutiae
            .iter()
            .flat_map(|&(x, y, kind, angle)| [x, y, (kind << 6) | angle])
            .collect();
        let decoded = decode_compact(&bytes, resolution, resolution).unwrap();
        prop_assert_eq!(encode_compact(&decoded, resolution, resolution).unwrap(), bytes);
    }

    #[test]
    fn compact_minutiae_survive_within_quantisation(
        minutiae in prop::collection::vec(minutia_in(502, 502), 0..60),
    ) {
        let bytes = encode_compact(&minutiae, RESOLUTION_500_PPI, RESOLUTION_500_PPI).unwrap();
        prop_assert_eq!(bytes.len(), minutiae.len() * COMPACT_MINUTIA_BYTES);
        let decoded = decode_compact(&bytes, RESOLUTION_500_PPI, RESOLUTION_500_PPI).unwrap();
        for (before, after) in minutiae.iter().zip(&decoded) {
            prop_assert!(before.x.abs_diff(after.x) <= 1, "{before:?} {after:?}");
            prop_assert!(before.y.abs_diff(after.y) <= 1, "{before:?} {after:?}");
            prop_assert!(before.angle.wrapping_sub(after.angle).min(after.angle.wrapping_sub(before.angle)) <= 2);
            prop_assert_eq!(before.kind, after.kind);
        }
    }
}
