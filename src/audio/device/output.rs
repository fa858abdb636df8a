//! Playback: an output stream whose callback copies from a shared buffer, position in an atomic.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, StreamTrait};
use cpal::{FromSample, SampleFormat, SizedSample};

use super::{
    DeviceError, Direction, OPEN_TIMEOUT, STALL_TIMEOUT, classify, device_id, find_device, host,
    small_buffer,
};

/// Plays mono samples at `rate` on the named output device (or the default) and returns when they
/// have been handed to the device, plus a short tail so nothing is cut off.
pub fn play(samples: &[f32], rate: u32, name: Option<&str>) -> Result<(), DeviceError> {
    let host = host()?;
    let device = find_device(&host, name, Direction::Output)?;
    let label = device_id(&device);
    let err = |e: cpal::Error| match classify(&e, Direction::Output, &label) {
        DeviceError::Gone { .. } if label == "default" => DeviceError::NoOutput,
        DeviceError::Gone { direction, name } => DeviceError::Unavailable { direction, name },
        other => other,
    };
    let (config, format) = choose_output_config(&device, rate).map_err(err)?;
    let samples: Arc<[f32]> = if config.sample_rate == rate {
        samples.into()
    } else {
        linear_resample(samples, rate, config.sample_rate).into()
    };
    // A little silence after the end pushes the last real samples through the device's buffer.
    let tail = (config.sample_rate / 4) as usize;
    let total = samples.len() + tail;
    let position = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicBool::new(false));
    let stream = match format {
        SampleFormat::I16 => build_output::<i16>(&device, config, &samples, &position, &failed),
        SampleFormat::U16 => build_output::<u16>(&device, config, &samples, &position, &failed),
        SampleFormat::I32 => build_output::<i32>(&device, config, &samples, &position, &failed),
        SampleFormat::F64 => build_output::<f64>(&device, config, &samples, &position, &failed),
        SampleFormat::U8 => build_output::<u8>(&device, config, &samples, &position, &failed),
        _ => build_output::<f32>(&device, config, &samples, &position, &failed),
    }
    .map_err(err)?;
    stream.play().map_err(err)?;
    let expected = Duration::from_secs_f64(total as f64 / f64::from(config.sample_rate));
    let started = Instant::now();
    let mut last_position = 0;
    let mut last_progress = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(20));
        let now = position.load(Ordering::Relaxed);
        if now >= total {
            break;
        }
        if now != last_position {
            last_position = now;
            last_progress = Instant::now();
        }
        // Sound servers can take a second or two to start a stream; only a long stall is a loss.
        if failed.load(Ordering::Relaxed)
            || (last_progress.elapsed() > STALL_TIMEOUT * 3 && started.elapsed() > expected)
        {
            return Err(DeviceError::Gone {
                direction: "output",
                name: label,
            });
        }
    }
    drop(stream);
    Ok(())
}

/// Prefers a config at the audio's own rate (no resampling), in a common sample format; else the
/// device's default.
fn choose_output_config(
    device: &cpal::Device,
    rate: u32,
) -> Result<(cpal::StreamConfig, SampleFormat), cpal::Error> {
    let usable = |f: SampleFormat| {
        matches!(
            f,
            SampleFormat::F32 | SampleFormat::I16 | SampleFormat::I32 | SampleFormat::U16
        )
    };
    if let Ok(configs) = device.supported_output_configs() {
        let mut candidates: Vec<_> = configs
            .filter(|c| usable(c.sample_format()) && c.channels() <= 2)
            .filter_map(|c| c.try_with_sample_rate(rate))
            .collect();
        candidates.sort_by_key(|c| (c.sample_format() != SampleFormat::F32, c.channels()));
        if let Some(best) = candidates.first() {
            let mut config = best.config();
            config.buffer_size = small_buffer(best.buffer_size(), rate, 5);
            return Ok((config, best.sample_format()));
        }
    }
    let default = device.default_output_config()?;
    let mut config = default.config();
    config.buffer_size = small_buffer(default.buffer_size(), config.sample_rate, 5);
    Ok((config, default.sample_format()))
}

fn build_output<T>(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    samples: &Arc<[f32]>,
    position: &Arc<AtomicUsize>,
    failed: &Arc<AtomicBool>,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample + FromSample<f32>,
{
    let samples = Arc::clone(samples);
    let position = Arc::clone(position);
    let failed = Arc::clone(failed);
    let channels = usize::from(config.channels.max(1));
    device.build_output_stream::<T, _, _>(
        config,
        move |data: &mut [T], _info: &cpal::OutputCallbackInfo| {
            // Real-time thread: copy from the shared buffer, nothing else.
            let mut pos = position.load(Ordering::Relaxed);
            for frame in data.chunks_mut(channels) {
                let value = samples.get(pos).copied().unwrap_or(0.0);
                for out in frame {
                    *out = T::from_sample_(value);
                }
                pos += 1;
            }
            position.store(pos, Ordering::Relaxed);
        },
        move |err: cpal::Error| {
            // Only a device that is gone or refused ends playback. The ALSA PulseAudio plugin
            // reports passing I/O errors while its stream starts; a stall is caught by the caller.
            if matches!(
                err.kind(),
                cpal::ErrorKind::DeviceNotAvailable
                    | cpal::ErrorKind::StreamInvalidated
                    | cpal::ErrorKind::PermissionDenied
                    | cpal::ErrorKind::DeviceBusy
            ) {
                failed.store(true, Ordering::Relaxed);
            }
        },
        Some(OPEN_TIMEOUT),
    )
}

/// Linear interpolation between rates: good enough for playing speech when the device cannot take
/// the audio's own rate.
fn linear_resample(samples: &[f32], from: u32, to: u32) -> Vec<f32> {
    if samples.is_empty() || from == 0 || to == 0 {
        return Vec::new();
    }
    let ratio = f64::from(from) / f64::from(to);
    let len = (samples.len() as f64 / ratio).round() as usize;
    (0..len)
        .map(|i| {
            let x = i as f64 * ratio;
            let j = x.floor() as usize;
            let frac = (x - j as f64) as f32;
            let a = samples.get(j).copied().unwrap_or(0.0);
            let b = samples.get(j + 1).copied().unwrap_or(a);
            a + (b - a) * frac
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_resample_keeps_duration_and_shape() {
        let tone: Vec<f32> = (0..22_050)
            .map(|i| (i as f32 * 440.0 * std::f32::consts::TAU / 22_050.0).sin())
            .collect();
        let out = linear_resample(&tone, 22_050, 48_000);
        assert_eq!(out.len(), 48_000);
        let expected: Vec<f32> = (0..48_000)
            .map(|i| (i as f32 * 440.0 * std::f32::consts::TAU / 48_000.0).sin())
            .collect();
        // The last few samples have no right-hand neighbour to interpolate towards.
        let worst = out[..47_990]
            .iter()
            .zip(&expected)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(worst < 0.02, "{worst}");
    }
}
