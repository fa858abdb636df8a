//! Speaking a question with the neural voice ([`crate::tts`]): from the cache when this text was spoken
//! before in this voice at this rate, else sentence by sentence, each played as soon as it is made while
//! the worker makes the next, and the whole question then kept in the cache.
//!
//! The cache is the espeak-ng one (`<data>/cache/voice/`, [`super::voice::cache_path`]), keyed by
//! engine, voice, rate and text, so the two engines never share a file.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::device;
use super::voice::{Speech, SpeechSource, VoiceError, VoiceOptions, cache_path, read_wav_native};
use crate::tts::{self, NeuralVoice, TtsError};

/// How long the first sentence took to start playing, for `rehearse say --json` and the benchmark.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// From the request to the first samples handed to the speaker, in seconds.
    pub first_audio_seconds: f64,
}

/// Takes the question from the cache in `dir`, if it is there.
pub fn cached(dir: &Path, text: &str, options: &VoiceOptions) -> Option<Speech> {
    let cache = cache_path(dir, text, options);
    let (samples, rate) = read_wav_native(&cache).ok()?;
    Some(Speech {
        samples,
        rate,
        source: SpeechSource::Synthesized {
            cache,
            cached: true,
        },
    })
}

/// Speaks `text` with the loaded `voice`, playing each sentence as it is made (or the cached whole),
/// and keeps the whole in the cache in `dir`.
pub fn speak(
    voice: &std::sync::Arc<NeuralVoice>,
    dir: &Path,
    text: &str,
    options: &VoiceOptions,
) -> Result<(Speech, Timing), VoiceError> {
    let started = Instant::now();
    let output = options.output_device.as_deref();
    if let Some(speech) = cached(dir, text, options) {
        let timing = Timing {
            first_audio_seconds: started.elapsed().as_secs_f64(),
        };
        device::play(&speech.samples, speech.rate, output)?;
        return Ok((speech, timing));
    }
    let rate = voice.sample_rate();
    let mut whole: Vec<f32> = Vec::new();
    let mut first_audio = None;
    for sentence in voice.stream(text, options.rate_wpm) {
        let samples = sentence.map_err(|e| VoiceError::Engine(e.to_string()))?;
        if samples.is_empty() {
            continue;
        }
        first_audio.get_or_insert_with(|| started.elapsed().as_secs_f64());
        device::play(&samples, rate, output)?;
        if !whole.is_empty() {
            whole.extend(voice.sentence_gap());
        }
        whole.extend(samples);
    }
    let cache = cache_path(dir, text, options);
    write_cache(&cache, &whole, rate)?;
    Ok((
        Speech {
            samples: whole,
            rate,
            source: SpeechSource::Synthesized {
                cache,
                cached: false,
            },
        },
        Timing {
            first_audio_seconds: first_audio.unwrap_or_else(|| started.elapsed().as_secs_f64()),
        },
    ))
}

/// Synthesizes `text` whole without playing it (from the cache in `dir` when it is there).
pub fn synthesize(
    voice: &NeuralVoice,
    dir: &Path,
    text: &str,
    options: &VoiceOptions,
) -> Result<Speech, VoiceError> {
    if let Some(speech) = cached(dir, text, options) {
        return Ok(speech);
    }
    let samples = voice
        .synthesize(text, options.rate_wpm)
        .map_err(|e| VoiceError::Engine(e.to_string()))?;
    let cache = cache_path(dir, text, options);
    write_cache(&cache, &samples, voice.sample_rate())?;
    Ok(Speech {
        samples,
        rate: voice.sample_rate(),
        source: SpeechSource::Synthesized {
            cache,
            cached: false,
        },
    })
}

/// Speaking a session's questions into the cache in the background; dropping it stops the work after
/// the question in progress and waits for that (a fraction of a second), so the process never exits
/// while ONNX Runtime is running.
#[derive(Debug)]
pub struct Prefetch {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    worker: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Prefetch {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// Loads the voice and speaks each text into the cache in the data folder, in order, in a background
/// thread (nothing is played). Failures are left to [`speak`], which falls back or reports them.
pub fn prefetch(options: VoiceOptions, texts: Vec<String>) -> Prefetch {
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stopped = std::sync::Arc::clone(&stop);
    let worker = std::thread::spawn(move || {
        let Ok(voice) = load(&options) else {
            return;
        };
        let dir = super::voice::cache_dir();
        for text in texts {
            if stopped.load(std::sync::atomic::Ordering::Relaxed)
                || synthesize(&voice, &dir, &text, &options).is_err()
            {
                return;
            }
        }
    });
    Prefetch {
        stop,
        worker: Some(worker),
    }
}

/// Loads the voice named in `options` from the models folder.
pub fn load(options: &VoiceOptions) -> Result<std::sync::Arc<NeuralVoice>, TtsError> {
    tts::load(&options.voice, &crate::paths::models_dir())
}

/// Writes a 16-bit mono WAV to a temporary file beside its final name, then renames it: a killed run
/// never leaves half a file in the cache, and two writers of the same question (the prefetch and a
/// question asked before it finished) never write into one file.
fn write_cache(cache: &Path, samples: &[f32], rate: u32) -> Result<(), VoiceError> {
    let folder = cache.parent().map(Path::to_path_buf).unwrap_or_default();
    let io = |path: PathBuf| move |source| VoiceError::Cache { path, source };
    crate::paths::private_cache_dir(&folder).map_err(io(folder.clone()))?;
    let partial = tempfile::Builder::new()
        .suffix(".partial.wav")
        .tempfile_in(&folder)
        .map_err(io(folder.clone()))?;
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let as_io = |e: hound::Error| match e {
        hound::Error::IoError(err) => err,
        other => std::io::Error::other(other.to_string()),
    };
    let file = partial.reopen().map_err(io(partial.path().to_path_buf()))?;
    let mut writer = hound::WavWriter::new(std::io::BufWriter::new(file), spec)
        .map_err(|e| io(partial.path().to_path_buf())(as_io(e)))?;
    for s in samples {
        let value = (s.clamp(-1.0, 1.0) * f32::from(i16::MAX)) as i16;
        writer
            .write_sample(value)
            .map_err(|e| io(partial.path().to_path_buf())(as_io(e)))?;
    }
    writer
        .finalize()
        .map_err(|e| io(partial.path().to_path_buf())(as_io(e)))?;
    partial
        .persist(cache)
        .map_err(|e| io(cache.to_path_buf())(e.error))?;
    Ok(())
}
