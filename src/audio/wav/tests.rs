//! The WAV reader on every common shape, and fuzzed: random bytes and damaged headers never panic,
//! and no size field makes an allocation larger than the input.

use std::io::Cursor;

use proptest::prelude::*;

use super::*;
use crate::audio::decode::read_mono;

/// A WAV in memory: `fmt ` fields as given, then `data` claiming `claimed` bytes and holding `data`.
fn wav_bytes(tag: u16, channels: u16, rate: u32, bits: u16, claimed: u32, data: &[u8]) -> Vec<u8> {
    let container = bits.div_ceil(8);
    let block_align = channels.wrapping_mul(container);
    let mut fmt = Vec::new();
    fmt.extend_from_slice(&(if tag == 0xFFFE { 0xFFFE } else { tag }).to_le_bytes());
    fmt.extend_from_slice(&channels.to_le_bytes());
    fmt.extend_from_slice(&rate.to_le_bytes());
    fmt.extend_from_slice(&rate.wrapping_mul(u32::from(block_align)).to_le_bytes());
    fmt.extend_from_slice(&block_align.to_le_bytes());
    fmt.extend_from_slice(&bits.to_le_bytes());
    let mut out = b"RIFF\0\0\0\0WAVE".to_vec();
    out.extend_from_slice(b"fmt ");
    out.extend_from_slice(&(fmt.len() as u32).to_le_bytes());
    out.extend_from_slice(&fmt);
    out.extend_from_slice(b"data");
    out.extend_from_slice(&claimed.to_le_bytes());
    out.extend_from_slice(data);
    let riff = (out.len() - 8) as u32;
    out[4..8].copy_from_slice(&riff.to_le_bytes());
    out
}

/// The same as an extensible header with the given sub-format tag.
fn extensible(sub: u16, channels: u16, rate: u32, bits: u16, data: &[u8]) -> Vec<u8> {
    let block_align = channels * bits.div_ceil(8);
    let mut fmt = Vec::new();
    fmt.extend_from_slice(&0xFFFEu16.to_le_bytes());
    fmt.extend_from_slice(&channels.to_le_bytes());
    fmt.extend_from_slice(&rate.to_le_bytes());
    fmt.extend_from_slice(&rate.wrapping_mul(u32::from(block_align)).to_le_bytes());
    fmt.extend_from_slice(&block_align.to_le_bytes());
    fmt.extend_from_slice(&bits.to_le_bytes());
    fmt.extend_from_slice(&22u16.to_le_bytes());
    fmt.extend_from_slice(&bits.to_le_bytes());
    fmt.extend_from_slice(&0x3u32.to_le_bytes());
    fmt.extend_from_slice(&sub.to_le_bytes());
    fmt.extend_from_slice(&[
        0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
    ]);
    let mut out = b"RIFF\0\0\0\0WAVE".to_vec();
    out.extend_from_slice(b"LIST\x04\0\0\0INFO");
    out.extend_from_slice(b"fmt ");
    out.extend_from_slice(&(fmt.len() as u32).to_le_bytes());
    out.extend_from_slice(&fmt);
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(data);
    out
}

fn read(bytes: &[u8]) -> Result<(Vec<f32>, Header, bool), WavError> {
    read_mono(&mut Cursor::new(bytes))
}

#[test]
fn every_integer_width_reads_the_same_value() {
    // Half of full scale, positive then negative, in each width.
    let cases: [(u16, Vec<u8>); 4] = [
        (8, vec![192, 64]),
        (
            16,
            [16_384i16, -16_384]
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect(),
        ),
        (24, vec![0x00, 0x00, 0x40, 0x00, 0x00, 0xC0]),
        (
            32,
            [1i32 << 30, -(1i32 << 30)]
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect(),
        ),
    ];
    for (bits, data) in cases {
        let bytes = wav_bytes(1, 1, 16_000, bits, data.len() as u32, &data);
        let (mono, header, complete) = read(&bytes).unwrap();
        assert!(complete, "{bits}-bit");
        assert_eq!(header.bytes_per_sample, bits / 8);
        assert_eq!(mono, vec![0.5, -0.5], "{bits}-bit");
    }
}

#[test]
fn float_32_and_64_read_and_non_finite_values_are_silence() {
    let data32: Vec<u8> = [0.25f32, f32::NAN, 3.0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let (mono, _, _) = read(&wav_bytes(3, 1, 8_000, 32, 12, &data32)).unwrap();
    assert_eq!(mono, vec![0.25, 0.0, 1.0]);
    let data64: Vec<u8> = [-0.75f64, f64::INFINITY]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let (mono, header, _) = read(&wav_bytes(3, 1, 96_000, 64, 16, &data64)).unwrap();
    assert_eq!(header.bytes_per_sample, 8);
    assert_eq!(mono, vec![-0.75, 0.0]);
}

#[test]
fn channels_are_averaged_up_to_eight() {
    for channels in 1..=8u16 {
        // Channel k holds k/8 of full scale.
        let data: Vec<u8> = (0..channels)
            .flat_map(|k| ((i32::from(k) * 4096) as i16).to_le_bytes())
            .collect();
        let (mono, header, _) = read(&wav_bytes(
            1,
            channels,
            48_000,
            16,
            data.len() as u32,
            &data,
        ))
        .unwrap();
        assert_eq!(header.channels, channels);
        let expected = (0..channels).map(|k| f32::from(k) / 8.0).sum::<f32>() / f32::from(channels);
        assert_eq!(mono.len(), 1);
        assert!(
            (mono[0] - expected).abs() < 1e-6,
            "{channels}: {} vs {expected}",
            mono[0]
        );
    }
}

#[test]
fn extensible_headers_after_another_chunk_read_as_their_sub_format() {
    let data: Vec<u8> = [0.5f32, 0.5].iter().flat_map(|v| v.to_le_bytes()).collect();
    let (mono, header, _) = read(&extensible(3, 2, 44_100, 32, &data)).unwrap();
    assert_eq!((header.encoding, header.channels), (Encoding::Float, 2));
    assert_eq!(mono, vec![0.5]);
    let pcm = [0x00, 0x00, 0x40, 0x00, 0x00, 0x40];
    let (mono, header, _) = read(&extensible(1, 2, 22_050, 24, &pcm)).unwrap();
    assert_eq!(header.encoding, Encoding::Int);
    assert_eq!(mono, vec![0.5]);
    assert_eq!(
        read(&extensible(0x55, 1, 8_000, 16, &[0, 0])).unwrap_err(),
        WavError::Unsupported("MP3 encoding".into())
    );
}

#[test]
fn a_size_field_larger_than_the_file_reads_what_is_there() {
    let data = [0u8, 64, 0, 192, 7];
    let bytes = wav_bytes(1, 1, 16_000, 16, u32::MAX - 1, &data);
    let (mono, header, complete) = read(&bytes).unwrap();
    assert!(header.truncated());
    assert!(!complete || header.truncated());
    assert_eq!(header.data_present, 4, "the odd byte is not a whole frame");
    assert_eq!(mono, vec![0.5, -0.5]);
    assert!(mono.capacity() < 1024, "reserved {}", mono.capacity());
}

#[test]
fn other_formats_are_named_by_their_magic_bytes() {
    for (bytes, name) in [
        (&b"ID3\x04\0\0\0\0\0\0"[..], "an MP3 file"),
        (&[0xFF, 0xFB, 0x90, 0x00][..], "an MP3 file"),
        (&b"OggS\0\x02\0\0"[..], "an Ogg file (Vorbis or Opus)"),
        (&b"fLaC\0\0\0\x22"[..], "a FLAC file"),
        (&b"\0\0\0\x20ftypM4A "[..], "an MP4/M4A file"),
    ] {
        assert_eq!(read(bytes).unwrap_err(), WavError::NotWav(Some(name)));
    }
    assert_eq!(
        read(b"hello, these are notes").unwrap_err(),
        WavError::NotWav(None)
    );
}

#[test]
fn damaged_headers_are_corrupt_not_panics() {
    let good = wav_bytes(1, 1, 16_000, 16, 4, &[0, 0, 0, 0]);
    // Cut anywhere inside the header.
    for end in 12..44 {
        assert!(read(&good[..end]).is_err(), "cut at {end}");
    }
    assert_eq!(
        read(&wav_bytes(1, 0, 16_000, 16, 0, &[])).unwrap_err(),
        WavError::Corrupt("zero channels".into())
    );
    assert!(matches!(
        read(&wav_bytes(1, 1, 16_000, 40, 0, &[])),
        Err(WavError::Unsupported(_))
    ));
    assert!(matches!(
        read(&wav_bytes(3, 1, 16_000, 16, 0, &[])),
        Err(WavError::Unsupported(_))
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = read(&bytes);
        let mut with_magic = b"RIFF\0\0\0\0WAVE".to_vec();
        with_magic.extend_from_slice(&bytes);
        let _ = read(&with_magic);
    }

    #[test]
    fn any_header_fields_read_within_the_file(
        tag in prop_oneof![Just(1u16), Just(3), Just(0xFFFE), any::<u16>()],
        channels in any::<u16>(),
        rate in any::<u32>(),
        bits in any::<u16>(),
        claimed in any::<u32>(),
        data in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let bytes = wav_bytes(tag, channels, rate, bits, claimed, &data);
        if let Ok((mono, header, _)) = read(&bytes) {
            prop_assert!(header.data_present <= data.len() as u64);
            prop_assert!(mono.len() <= data.len());
            prop_assert!(mono.capacity() <= data.len().max(1) * 2);
            prop_assert!(mono.iter().all(|v| v.is_finite() && (-1.0..=1.0).contains(v)));
        }
    }

    #[test]
    fn flipped_bytes_in_a_good_file_never_panic(
        flips in proptest::collection::vec((0usize..64, any::<u8>()), 1..6),
    ) {
        let data: Vec<u8> = (0..20u8).collect();
        let mut bytes = wav_bytes(1, 2, 44_100, 16, 20, &data);
        for (at, value) in flips {
            let at = at % bytes.len();
            bytes[at] = value;
        }
        if let Ok((mono, _, _)) = read(&bytes) {
            prop_assert!(mono.len() <= bytes.len());
        }
    }
}
