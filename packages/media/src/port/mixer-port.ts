/**
 * A mixer port: sums several sources into one frame with saturation (e.g. an operator's
 * voice plus a quiet hold-music bed, or a supervisor whispering to an operator). Each
 * input has a gain; inputs that have nothing to play are skipped. The per-tick work is
 * one pass per active input over preallocated buffers.
 */
import { MediaError, MediaErrorCode } from '../media-error.ts';
import { type MediaSource, SAMPLES_PER_FRAME } from './media-port.ts';

interface MixerInput {
  readonly source: MediaSource;
  gain: number;
}

export class MixerPort implements MediaSource {
  private readonly inputs: MixerInput[] = [];
  private readonly scratch: Int16Array;
  private readonly acc: Int32Array;

  constructor(frameSamples = SAMPLES_PER_FRAME) {
    this.scratch = new Int16Array(frameSamples);
    this.acc = new Int32Array(frameSamples);
  }

  /** Add a source (gain 1 = unchanged); returns a function that removes it again. */
  add(source: MediaSource, gain = 1): () => void {
    if (!(gain >= 0)) throw new MediaError(MediaErrorCode.InvalidArgument, `bad gain ${gain}`);
    const input: MixerInput = { source, gain };
    this.inputs.push(input);
    return () => {
      const i = this.inputs.indexOf(input);
      if (i >= 0) this.inputs.splice(i, 1);
    };
  }

  setGain(source: MediaSource, gain: number): void {
    for (const input of this.inputs) if (input.source === source) input.gain = gain;
  }

  get size(): number {
    return this.inputs.length;
  }

  getFrame(out: Int16Array): boolean {
    const n = Math.min(out.length, this.acc.length);
    const acc = this.acc;
    acc.fill(0);
    let any = false;
    for (const input of this.inputs) {
      const frame = this.scratch;
      if (!input.source.getFrame(frame)) continue;
      any = true;
      const g = input.gain;
      if (g === 1) for (let i = 0; i < n; i++) acc[i]! += frame[i]!;
      else for (let i = 0; i < n; i++) acc[i]! += Math.round(frame[i]! * g);
    }
    if (!any) return false;
    for (let i = 0; i < n; i++) {
      const v = acc[i]!;
      out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    }
    return true;
  }
}
