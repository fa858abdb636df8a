//! `Embedding`: one sentence as a unit-length vector of [`DIM`] numbers, and the cosine between two.

use std::fmt;

/// The width of an embedding (all-MiniLM-L6-v2's hidden size).
pub const DIM: usize = 384;

/// A sentence's meaning as a point on the unit sphere: sentences that say the same thing are close.
#[derive(Clone, Copy, PartialEq)]
pub struct Embedding([f32; DIM]);

impl Embedding {
    /// Scales `values` to unit length (a zero vector stays zero), as the model's last step does.
    pub fn normalized(mut values: [f32; DIM]) -> Self {
        let norm = values.iter().map(|v| v * v).sum::<f32>().sqrt();
        // torch.nn.functional.normalize's floor, so a zero vector stays zero rather than NaN.
        let scale = 1.0 / norm.max(1e-12);
        for v in &mut values {
            *v *= scale;
        }
        Embedding(values)
    }

    /// The numbers.
    pub fn as_array(&self) -> &[f32; DIM] {
        &self.0
    }

    /// The cosine similarity with `other`: 1 for the same meaning, about 0 for unrelated sentences.
    pub fn cosine(&self, other: &Embedding) -> f32 {
        cosine(&self.0, &other.0)
    }
}

impl fmt::Debug for Embedding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Embedding([{:.4}, {:.4}, {:.4}, {:.4}, ...])",
            self.0[0], self.0[1], self.0[2], self.0[3]
        )
    }
}

/// The cosine similarity of two vectors of the same length; 0 when either is all zeros. Slices of
/// different lengths are compared over the shorter one.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (mut dot, mut aa, mut bb) = (0.0f32, 0.0f32, 0.0f32);
    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        aa += x * x;
        bb += y * y;
    }
    let norms = (aa * bb).sqrt();
    if norms > 0.0 { dot / norms } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axis(i: usize, value: f32) -> [f32; DIM] {
        let mut v = [0.0; DIM];
        v[i] = value;
        v
    }

    #[test]
    fn normalized_vectors_have_unit_length_and_keep_their_direction() {
        let mut v = axis(0, 3.0);
        v[1] = 4.0;
        let e = Embedding::normalized(v);
        assert!((e.as_array()[0] - 0.6).abs() < 1e-6);
        assert!((e.as_array()[1] - 0.8).abs() < 1e-6);
        assert!((e.cosine(&e) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn cosine_of_orthogonal_opposite_and_zero_vectors() {
        let x = Embedding::normalized(axis(0, 2.0));
        let y = Embedding::normalized(axis(1, 0.5));
        let minus_x = Embedding::normalized(axis(0, -1.0));
        let zero = Embedding::normalized([0.0; DIM]);
        assert_eq!(x.cosine(&y), 0.0);
        assert!((x.cosine(&minus_x) + 1.0).abs() < 1e-6);
        assert_eq!(x.cosine(&zero), 0.0, "no NaN for a zero vector");
        assert_eq!(cosine(&[1.0, 1.0], &[2.0, 2.0]), 1.0);
    }
}
