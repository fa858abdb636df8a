//! Whisper's mel filter bank, computed as librosa does by default (Slaney mel scale, Slaney area
//! normalisation), since CTranslate2 models do not carry it but ggml files must.
//!
//! `librosa.filters.mel(sr=16000, n_fft=400, n_mels=N)` with fmin 0 and fmax 8000: triangles between
//! `N + 2` points evenly spaced on the mel scale, each scaled by `2 / (upper - lower)` in Hz. Computed
//! in f64 and stored as f32, like librosa's default dtype.

/// Sample rate of Whisper's front end.
const SAMPLE_RATE: f64 = 16_000.0;
/// FFT size of Whisper's front end.
pub const N_FFT: usize = 400;
/// Frequency bins of a real FFT of `N_FFT` points.
pub const N_BINS: usize = N_FFT / 2 + 1;

/// Hz to mel on the Slaney scale: linear below 1 kHz, logarithmic above.
pub fn hz_to_mel(hz: f64) -> f64 {
    let f_sp = 200.0 / 3.0;
    let min_log_hz = 1000.0;
    let min_log_mel = min_log_hz / f_sp;
    let logstep = 6.4f64.ln() / 27.0;
    if hz >= min_log_hz {
        min_log_mel + (hz / min_log_hz).ln() / logstep
    } else {
        hz / f_sp
    }
}

/// Mel to Hz on the Slaney scale.
pub fn mel_to_hz(mel: f64) -> f64 {
    let f_sp = 200.0 / 3.0;
    let min_log_hz = 1000.0;
    let min_log_mel = min_log_hz / f_sp;
    let logstep = 6.4f64.ln() / 27.0;
    if mel >= min_log_mel {
        min_log_hz * (logstep * (mel - min_log_mel)).exp()
    } else {
        f_sp * mel
    }
}

/// The filter bank as `n_mels` rows of `N_BINS` weights, row-major.
pub fn filters(n_mels: usize) -> Vec<f32> {
    let fmax = SAMPLE_RATE / 2.0;
    let fft_freqs: Vec<f64> = (0..N_BINS)
        .map(|i| i as f64 * fmax / (N_BINS - 1) as f64)
        .collect();
    let (mel_min, mel_max) = (hz_to_mel(0.0), hz_to_mel(fmax));
    let points = n_mels + 2;
    let mel_f: Vec<f64> = (0..points)
        .map(|i| mel_to_hz(mel_min + (mel_max - mel_min) * i as f64 / (points - 1) as f64))
        .collect();
    let mut weights = vec![0f32; n_mels * N_BINS];
    for m in 0..n_mels {
        let (lower_hz, center_hz, upper_hz) = (mel_f[m], mel_f[m + 1], mel_f[m + 2]);
        let enorm = 2.0 / (upper_hz - lower_hz);
        for (bin, &freq) in fft_freqs.iter().enumerate() {
            let lower = (freq - lower_hz) / (center_hz - lower_hz);
            let upper = (upper_hz - freq) / (upper_hz - center_hz);
            weights[m * N_BINS + bin] = (lower.min(upper).max(0.0) * enorm) as f32;
        }
    }
    weights
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mel_scale_round_trips_and_is_linear_below_1khz() {
        for hz in [0.0, 100.0, 999.0, 1000.0, 4000.0, 8000.0] {
            assert!((mel_to_hz(hz_to_mel(hz)) - hz).abs() < 1e-9, "{hz}");
        }
        assert!((hz_to_mel(200.0) - 3.0).abs() < 1e-12);
        assert!((hz_to_mel(1000.0) - 15.0).abs() < 1e-12);
    }

    /// Values read from Whisper's own `whisper/assets/mel_filters.npz` (the `openai-whisper` package,
    /// release 20250625): `mel_80[m, bin]` and `mel_128[m, bin]`.
    #[test]
    fn matches_whisper_mel_filters_npz() {
        let known_80: [(usize, usize, f64); 9] = [
            (40, 31, 0.0),
            (0, 1, 0.024_862_594_902_515_41),
            (1, 1, 0.001_990_821_911_022_067),
            (1, 2, 0.022_871_771_827_340_126),
            (20, 20, 0.013_890_394_009_649_754),
            (40, 43, 0.014_735_566_452_145_576),
            (60, 93, 0.006_591_092_795_133_591),
            (79, 194, 0.002_692_554_146_051_407),
            (79, 199, 0.000_448_759_004_939_347_5),
        ];
        let known_128: [(usize, usize, f64); 4] = [
            (64, 47, 0.0),
            (0, 1, 0.012_373_986_653_983_593),
            (64, 43, 0.018_091_518_431_901_932),
            (127, 198, 0.002_228_560_391_813_516_6),
        ];
        for (n_mels, known) in [(80, &known_80[..]), (128, &known_128[..])] {
            let w = filters(n_mels);
            for &(m, bin, value) in known {
                let got = f64::from(w[m * N_BINS + bin]);
                assert!(
                    (got - value).abs() < 5e-9,
                    "mel_{n_mels}[{m}, {bin}]: {got} vs {value}"
                );
            }
        }
    }

    #[test]
    fn each_row_is_one_triangle_with_unit_area_in_hz() {
        let w = filters(128);
        let bin_hz = 8000.0 / (N_BINS - 1) as f64;
        // Above about 1.5 kHz the triangles span several FFT bins, so summing bins measures the area.
        for m in 80..128 {
            let row = &w[m * N_BINS..(m + 1) * N_BINS];
            let nonzero: Vec<usize> = (0..N_BINS).filter(|&b| row[b] > 0.0).collect();
            assert!(!nonzero.is_empty(), "row {m} empty");
            assert_eq!(
                nonzero.last().unwrap() - nonzero[0] + 1,
                nonzero.len(),
                "row {m} not contiguous"
            );
            // Slaney normalisation: triangle of height 2/(upper-lower) over (upper-lower) Hz -> area 1.
            let area: f64 = row.iter().map(|&v| f64::from(v) * bin_hz).sum();
            assert!((area - 1.0).abs() < 0.2, "row {m} area {area}");
        }
    }
}
