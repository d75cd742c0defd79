/**
 * The two non-speech prompts, generated rather than synthesised:
 *   - `hold_music`: a quiet pentatonic melody with soft note envelopes (≈ −22 dBFS),
 *     8 s long and loopable (it starts and ends on silence, so the loop has no click);
 *   - `voicemail_beep`: 1 kHz for 500 ms — the conventional "speak after the tone".
 * Deterministic, so they need no cache file and no synthesiser.
 */
import { SAMPLE_RATE } from '../port/media-port.ts';

/** Semitone offsets (major pentatonic on A3) and lengths in eighth notes. */
const MELODY: readonly (readonly [number, number])[] = [
  [0, 2],
  [4, 1],
  [7, 1],
  [9, 2],
  [7, 2],
  [4, 1],
  [2, 1],
  [0, 2],
  [2, 2],
  [4, 1],
  [7, 1],
  [4, 2],
  [2, 2],
  [0, 4],
];

const EIGHTH_MS = 250;

export function renderHoldMusic(): Int16Array {
  const total = MELODY.reduce((sum, [, len]) => sum + len, 0) * EIGHTH_MS;
  const out = new Int16Array(Math.round((total * SAMPLE_RATE) / 1000));
  const amplitude = 2600;
  let at = 0;
  for (const [semitone, len] of MELODY) {
    const n = Math.round((len * EIGHTH_MS * SAMPLE_RATE) / 1000);
    const f = 220 * 2 ** (semitone / 12);
    const attack = 0.02 * SAMPLE_RATE;
    for (let i = 0; i < n; i++) {
      const t = i / SAMPLE_RATE;
      // fast attack, exponential decay, and a short release so notes do not click
      const env =
        Math.min(1, i / attack) * Math.exp((-2.5 * i) / n) * Math.min(1, (n - i) / attack);
      const s =
        Math.sin(2 * Math.PI * f * t) +
        0.35 * Math.sin(2 * Math.PI * 2 * f * t) +
        0.15 * Math.sin(2 * Math.PI * 3 * f * t);
      out[at + i] = Math.round((amplitude * env * s) / 1.5);
    }
    at += n;
  }
  return out;
}

export function renderBeep(frequencyHz = 1000, durationMs = 500): Int16Array {
  const n = Math.round((durationMs * SAMPLE_RATE) / 1000);
  const out = new Int16Array(n);
  const ramp = 0.005 * SAMPLE_RATE;
  for (let i = 0; i < n; i++) {
    const env = Math.min(1, i / ramp, (n - i) / ramp);
    out[i] = Math.round(8000 * env * Math.sin((2 * Math.PI * frequencyHz * i) / SAMPLE_RATE));
  }
  return out;
}
