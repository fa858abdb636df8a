//! Capture: an input stream whose callback pushes `f32` samples into a lock-free ring buffer.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::Instant;

use cpal::traits::{DeviceTrait, StreamTrait};
use cpal::{FromSample, SampleFormat, SizedSample};
use ringbuf::traits::{Consumer, Observer, Producer, Split};
use ringbuf::{HeapCons, HeapProd, HeapRb};

use super::{
    DeviceError, Direction, OPEN_TIMEOUT, STALL_TIMEOUT, classify, device_id, find_device, host,
    small_buffer,
};

/// Seconds of audio the capture ring holds before samples are dropped.
const RING_SECONDS: u32 = 4;

/// Error kinds the callback records for the draining thread (an atomic, so no lock).
const ERR_NONE: u8 = 0;
const ERR_GONE: u8 = 1;
const ERR_BUSY: u8 = 2;
const ERR_PERMISSION: u8 = 3;

/// State shared between the capture callback and the draining thread: atomics only.
struct Shared {
    error: AtomicU8,
    dropped: AtomicU64,
    /// Total samples delivered by the callback.
    delivered: AtomicU64,
}

/// An open capture stream: interleaved `f32` samples at the device's rate and channel count.
pub struct InputStream {
    _stream: cpal::Stream,
    consumer: HeapCons<f32>,
    shared: Arc<Shared>,
    name: String,
    rate: u32,
    channels: u16,
    last_data: Instant,
    last_delivered: u64,
}

impl InputStream {
    /// Opens the named input device (or the default) in whatever format it offers and starts it.
    pub fn open(name: Option<&str>) -> Result<InputStream, DeviceError> {
        let host = host()?;
        let device = find_device(&host, name, Direction::Input)?;
        let label = device_id(&device);
        let opening = |err: cpal::Error| match classify(&err, Direction::Input, &label) {
            // A device that cannot even be opened is missing, not disconnected.
            DeviceError::Gone { .. } if label == "default" => DeviceError::NoInput,
            DeviceError::Gone { direction, name } => DeviceError::Unavailable { direction, name },
            other => other,
        };
        // Asking what the device offers opens it: failing there (ALSA says "does not support
        // input" for a card that is not there) means there is no such microphone.
        let probing = |err: cpal::Error| match opening(err) {
            DeviceError::Unsupported { .. } if label == "default" => DeviceError::NoInput,
            DeviceError::Unsupported {
                direction, name, ..
            } => DeviceError::Unavailable { direction, name },
            other => other,
        };
        let supported = choose_input_config(&device).map_err(probing)?;
        let mut config = supported.config();
        config.buffer_size = small_buffer(supported.buffer_size(), config.sample_rate, 10);
        let capacity = (config.sample_rate.max(8000)
            * u32::from(config.channels.max(1))
            * RING_SECONDS) as usize;
        let (producer, consumer) = HeapRb::<f32>::new(capacity).split();
        let shared = Arc::new(Shared {
            error: AtomicU8::new(ERR_NONE),
            dropped: AtomicU64::new(0),
            delivered: AtomicU64::new(0),
        });
        let stream = match supported.sample_format() {
            SampleFormat::I8 => build_input::<i8>(&device, config, producer, &shared),
            SampleFormat::U8 => build_input::<u8>(&device, config, producer, &shared),
            SampleFormat::I16 => build_input::<i16>(&device, config, producer, &shared),
            SampleFormat::U16 => build_input::<u16>(&device, config, producer, &shared),
            SampleFormat::I24 => build_input::<cpal::I24>(&device, config, producer, &shared),
            SampleFormat::I32 => build_input::<i32>(&device, config, producer, &shared),
            SampleFormat::U32 => build_input::<u32>(&device, config, producer, &shared),
            SampleFormat::F32 => build_input::<f32>(&device, config, producer, &shared),
            SampleFormat::F64 => build_input::<f64>(&device, config, producer, &shared),
            other => {
                return Err(DeviceError::Unsupported {
                    direction: "input",
                    name: label,
                    detail: format!("sample format {other}"),
                });
            }
        }
        .map_err(opening)?;
        stream.play().map_err(opening)?;
        Ok(InputStream {
            _stream: stream,
            consumer,
            shared,
            name: label,
            rate: config.sample_rate,
            channels: config.channels.max(1),
            last_data: Instant::now(),
            last_delivered: 0,
        })
    }

    /// The device's sample rate.
    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// The device's channel count (samples are interleaved).
    pub fn channels(&self) -> u16 {
        self.channels
    }

    /// The device's identifier.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Samples lost because the ring was full (the draining thread fell behind).
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }

    /// Moves the samples captured so far into `out` (appending). Fails once the device has reported
    /// an error or has delivered nothing for [`STALL_TIMEOUT`] (five times that before the first
    /// samples); samples already captured are still
    /// moved first.
    pub fn pop(&mut self, out: &mut Vec<f32>) -> Result<(), DeviceError> {
        let available = self.consumer.occupied_len();
        if available > 0 {
            let start = out.len();
            out.resize(start + available, 0.0);
            let got = self.consumer.pop_slice(&mut out[start..]);
            out.truncate(start + got);
        }
        let delivered = self.shared.delivered.load(Ordering::Relaxed);
        if delivered != self.last_delivered {
            self.last_delivered = delivered;
            self.last_data = Instant::now();
        }
        let gone = || DeviceError::Gone {
            direction: "input",
            name: self.name.clone(),
        };
        match self.shared.error.load(Ordering::Relaxed) {
            ERR_NONE => {}
            ERR_BUSY => {
                return Err(DeviceError::Busy {
                    direction: "input",
                    name: self.name.clone(),
                });
            }
            ERR_PERMISSION => {
                return Err(DeviceError::PermissionDenied {
                    direction: "input",
                    name: self.name.clone(),
                });
            }
            _ => return Err(gone()),
        }
        // A sound server may take a few seconds to deliver the first samples.
        let allowed = if self.last_delivered == 0 {
            STALL_TIMEOUT * 5
        } else {
            STALL_TIMEOUT
        };
        if self.last_data.elapsed() > allowed {
            return Err(gone());
        }
        Ok(())
    }
}

/// 16 kHz mono 16-bit when the device offers it (what the recording is, so nothing to convert, and
/// a raw 16 kHz test file is read byte for byte); else the device's default format.
fn choose_input_config(device: &cpal::Device) -> Result<cpal::SupportedStreamConfig, cpal::Error> {
    if let Ok(configs) = device.supported_input_configs() {
        let direct = configs
            .filter(|c| c.sample_format() == SampleFormat::I16 && c.channels() == 1)
            .find_map(|c| c.try_with_sample_rate(16_000));
        if let Some(direct) = direct {
            return Ok(direct);
        }
    }
    device.default_input_config()
}

fn build_input<T>(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    mut producer: HeapProd<f32>,
    shared: &Arc<Shared>,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample,
    f32: FromSample<T>,
{
    let data_shared = Arc::clone(shared);
    let error_shared = Arc::clone(shared);
    device.build_input_stream::<T, _, _>(
        config,
        move |data: &[T], _info: &cpal::InputCallbackInfo| {
            // Real-time thread: convert and push, nothing else.
            let pushed = producer.push_iter(data.iter().map(|s| f32::from_sample_(*s)));
            let lost = data.len() - pushed;
            if lost > 0 {
                data_shared
                    .dropped
                    .fetch_add(lost as u64, Ordering::Relaxed);
            }
            data_shared
                .delivered
                .fetch_add(data.len() as u64, Ordering::Relaxed);
        },
        move |err: cpal::Error| {
            let code = match err.kind() {
                cpal::ErrorKind::DeviceNotAvailable | cpal::ErrorKind::StreamInvalidated => {
                    ERR_GONE
                }
                cpal::ErrorKind::DeviceBusy => ERR_BUSY,
                cpal::ErrorKind::PermissionDenied => ERR_PERMISSION,
                // An overrun loses a little audio and the stream goes on; plugins (the ALSA
                // PulseAudio one) also report passing I/O errors while a stream starts. A device
                // that really stopped is caught by the stall check instead.
                _ => ERR_NONE,
            };
            if code != ERR_NONE {
                error_shared.error.store(code, Ordering::Relaxed);
            }
        },
        Some(OPEN_TIMEOUT),
    )
}
