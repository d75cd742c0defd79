/**
 * A player port: plays cached 8 kHz G.711 announcements (shared, immutable buffers,
 * converted once with wav-to-g711.ts) from a playlist. Items can loop; `interrupt()`
 * stops at once (barge-in on DTMF). Consecutive items play gaplessly within a frame.
 *
 * Two ways to pull a frame: {@link getFrame} decodes to PCM (for mixing/recording), and
 * {@link readEncoded} returns G.711 bytes — a plain copy when the announcement is stored
 * in the call's law, so playing a prompt to a PCMU caller costs no transcoding at all.
 */
import { EventEmitter } from 'node:events';
import { type G711Law, g711Tables, g711TranscodeTable } from '../g711/g711-codec.ts';
import type { MediaSource } from './media-port.ts';

/** Cached announcement audio: 8 kHz mono G.711. Never mutated after creation. */
export interface G711Audio {
  readonly law: G711Law;
  readonly data: Uint8Array;
}

export interface PlaylistItem {
  readonly audio: G711Audio;
  readonly loop?: boolean;
  /** Caller's label, echoed in events. */
  readonly id?: string;
}

export type PlayerEvents = {
  /** An item played to its end (not emitted for interrupted or looping items). */
  ended: [PlaylistItem];
  /** The playlist ran empty (also after {@link PlayerPort.interrupt}). */
  idle: [];
};

const copyBytes = Buffer.prototype.copy;

export class PlayerPort extends EventEmitter<PlayerEvents> implements MediaSource {
  private readonly playlist: PlaylistItem[] = [];
  private position = 0;
  private readonly scratch: Uint8Array;
  /** Segments of the last undecoded fill: law and byte count of each (reused arrays). */
  private readonly decodeLaws: G711Law[] = [];
  private readonly decodeCounts: number[] = [];

  constructor(maxFrameSamples = 480) {
    super();
    this.scratch = new Uint8Array(maxFrameSamples);
  }

  get playing(): boolean {
    return this.playlist.length > 0;
  }

  /** Append items to the playlist; with `interrupt`, replace what is playing. */
  play(items: PlaylistItem | readonly PlaylistItem[], options: { interrupt?: boolean } = {}): void {
    if (options.interrupt) this.stopSilently();
    const list = Array.isArray(items) ? items : [items as PlaylistItem];
    for (const item of list) if (item.audio.data.length > 0) this.playlist.push(item);
  }

  /** Stop now and clear the playlist. */
  interrupt(): void {
    const wasPlaying = this.playing;
    this.stopSilently();
    if (wasPlaying) this.emit('idle');
  }

  private stopSilently(): void {
    this.playlist.length = 0;
    this.position = 0;
  }

  getFrame(out: Int16Array): boolean {
    if (!this.playing) return false;
    const n = Math.min(out.length, this.scratch.length);
    const filled = this.fill(this.scratch, n, undefined);
    if (filled === 0) return false;
    // fill() left each segment in its item's own law and noted the segments: decode them.
    return this.decodeInto(out, filled);
  }

  /**
   * G.711 bytes in `law` for one frame into `out`. Returns false when idle. Missing tail
   * samples (playlist ended mid-frame) are filled with the law's silence.
   */
  readEncoded(out: Uint8Array, law: G711Law): boolean {
    if (!this.playing) return false;
    // Hot path (hold music, prompts in the call's law): a whole frame left in the current
    // item is one native copy; item ends, loops and transcoding go through fill().
    const audio = this.playlist[0]!.audio;
    const from = this.position;
    const n = out.length;
    if (audio.law === law && from + n < audio.data.length) {
      copyBytes.call(audio.data, out, 0, from, from + n);
      this.position = from + n;
      return true;
    }
    const filled = this.fill(out, out.length, law);
    if (filled === 0) return false;
    out.fill(law === 'PCMU' ? 0xff : 0xd5, filled);
    return true;
  }

  private decodeInto(out: Int16Array, filled: number): boolean {
    let at = 0;
    for (let s = 0; s < this.decodeLaws.length; s++) {
      const table = g711Tables(this.decodeLaws[s]!).decode;
      const end = at + this.decodeCounts[s]!;
      for (let i = at; i < end; i++) out[i] = table[this.scratch[i]!]!;
      at = end;
    }
    out.fill(0, filled);
    return true;
  }

  /**
   * Copy up to `count` bytes of the playlist into `out`. With `law`, bytes are converted to
   * it; without, they stay in each item's own law and the segments are noted for decoding.
   */
  private fill(out: Uint8Array, count: number, law: G711Law | undefined): number {
    this.decodeLaws.length = 0;
    this.decodeCounts.length = 0;
    let filled = 0;
    while (filled < count && this.playlist.length > 0) {
      const item = this.playlist[0]!;
      const data = item.audio.data;
      const n = Math.min(count - filled, data.length - this.position);
      const from = this.position;
      // No subarray()/set(): no per-frame garbage on the hot path. A same-law copy is a
      // native memcpy (Buffer#copy accepts any Uint8Array as source and target).
      const table = law === undefined ? undefined : g711TranscodeTable(item.audio.law, law);
      if (table === undefined) copyBytes.call(data, out, filled, from, from + n);
      else for (let i = 0; i < n; i++) out[filled + i] = table[data[from + i]!]!;
      if (law === undefined) {
        this.decodeLaws.push(item.audio.law);
        this.decodeCounts.push(n);
      }
      filled += n;
      this.position += n;
      if (this.position >= data.length) {
        this.position = 0;
        if (!item.loop) {
          this.playlist.shift();
          this.emit('ended', item);
          if (this.playlist.length === 0) this.emit('idle');
        }
      }
    }
    return filled;
  }
}
