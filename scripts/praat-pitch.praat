# Prints Praat's pitch track of a sound file, one frame a line: time in seconds and F0 in Hz
# ("--undefined--" when unvoiced). Used by the pitch tests to check rehearse's estimator.
# Usage: praat --run scripts/praat-pitch.praat file.wav
form Pitch track
  sentence file
endform
sound = Read from file: file$
pitch = To Pitch: 0.01, 75, 500
n = Get number of frames
for i to n
  t = Get time from frame number: i
  f = Get value in frame: i, "Hertz"
  appendInfoLine: fixed$(t, 4), " ", f
endfor
