//! Rigid transforms of the plane.

/// Maps a probe point p to `rotation * p + translation` in the reference frame; directions
/// turn by the rotation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transform {
    /// Radians.
    pub rotation: f32,
    pub translation_x: f32,
    pub translation_y: f32,
}

impl Transform {
    pub const IDENTITY: Transform = Transform {
        rotation: 0.0,
        translation_x: 0.0,
        translation_y: 0.0,
    };

    pub fn apply(&self, x: f32, y: f32) -> (f32, f32) {
        let (sin, cos) = self.rotation.sin_cos();
        (
            cos * x - sin * y + self.translation_x,
            sin * x + cos * y + self.translation_y,
        )
    }
}
