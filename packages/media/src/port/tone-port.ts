/**
 * Call-progress tones as cached cadences, played by a passive port.
 *
 * Japanese tones (NTT: 呼出音 / 話中音, as documented in the TTC/NTT network interface
 * specifications):
 *   - ringback: 400 Hz modulated by 16 Hz, 1 s on / 2 s off;
 *   - busy:     400 Hz, 0.5 s on / 0.5 s off.
 * The 16 Hz modulation is rendered as amplitude modulation, s(t) = sin(2π·400t) ·
 * (1 + m·sin(2π·16t)) / (1 + m) with m = 0.8 — the characteristic "warble"; the spec
 * does not fix the depth. Level ≈ −16 dBFS peak (tones must not dominate speech).
 *
 * A cadence is rendered once per process into an Int16Array (3 s of ringback = 48 KB)
 * and shared by every call; a port only keeps its read position.
 */
import type { MediaSource } from './media-port.ts';
import { SAMPLE_RATE } from './media-port.ts';

export interface ToneCadence {
  readonly name: string;
  /** One full period of the cadence, 8 kHz PCM. */
  readonly samples: Int16Array;
}

export interface ToneSpec {
  name: string;
  frequencyHz: number;
  /** Amplitude-modulation frequency and depth (0 = none). */
  modulationHz?: number;
  modulationDepth?: number;
  /** Alternating on/off durations in ms, starting with on. */
  cadenceMs: readonly number[];
  amplitude?: number;
}

export function renderTone(spec: ToneSpec): ToneCadence {
  const total = spec.cadenceMs.reduce((a, b) => a + b, 0);
  const samples = new Int16Array(Math.round((total * SAMPLE_RATE) / 1000));
  const amplitude = spec.amplitude ?? 5000;
  const depth = spec.modulationHz ? (spec.modulationDepth ?? 0.8) : 0;
  let at = 0;
  spec.cadenceMs.forEach((ms, index) => {
    const n = Math.round((ms * SAMPLE_RATE) / 1000);
    if (index % 2 === 0) {
      for (let i = 0; i < n; i++) {
        const t = i / SAMPLE_RATE;
        const carrier = Math.sin(2 * Math.PI * spec.frequencyHz * t);
        const envelope =
          depth === 0
            ? 1
            : (1 + depth * Math.sin(2 * Math.PI * (spec.modulationHz ?? 0) * t)) / (1 + depth);
        samples[at + i] = Math.round(amplitude * carrier * envelope);
      }
    }
    at += n;
  });
  return { name: spec.name, samples };
}

let ringback: ToneCadence | undefined;
let busy: ToneCadence | undefined;

export function japaneseRingback(): ToneCadence {
  ringback ??= renderTone({
    name: 'jp-ringback',
    frequencyHz: 400,
    modulationHz: 16,
    cadenceMs: [1000, 2000],
  });
  return ringback;
}

export function japaneseBusy(): ToneCadence {
  busy ??= renderTone({ name: 'jp-busy', frequencyHz: 400, cadenceMs: [500, 500] });
  return busy;
}

export class TonePort implements MediaSource {
  private cadence: ToneCadence | undefined;
  private position = 0;

  constructor(cadence?: ToneCadence) {
    this.cadence = cadence;
  }

  /** Switch tone (restarts the cadence) or stop with undefined. */
  set(cadence: ToneCadence | undefined): void {
    this.cadence = cadence;
    this.position = 0;
  }

  get active(): boolean {
    return this.cadence !== undefined;
  }

  getFrame(out: Int16Array): boolean {
    const c = this.cadence;
    if (c === undefined) return false;
    const src = c.samples;
    let filled = 0;
    while (filled < out.length) {
      const n = Math.min(out.length - filled, src.length - this.position);
      const from = this.position;
      for (let i = 0; i < n; i++) out[filled + i] = src[from + i]!;
      filled += n;
      this.position += n;
      if (this.position === src.length) this.position = 0;
    }
    return true;
  }
}
