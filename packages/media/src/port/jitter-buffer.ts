/**
 * A fixed-delay jitter buffer: RTP audio goes in when it arrives, the media clock takes
 * one frame per tick. It turns network timing into clock timing for the recorder, the
 * mixer and transcoding bridges.
 *
 * Storage is a ring of 10 ms blocks (80 samples) placed by RTP timestamp relative to the
 * playout point, so any ptime that is a multiple of 10 ms (10/20/30/40 …) fits and
 * packets reordered inside the window fall into place. Playout starts `delayMs` behind
 * the first packet.
 *
 * - late packet (behind the playout point) older than the newest one received: a
 *   straggler, dropped and counted;
 * - late packet that is the newest received: the sender's clock runs slower than ours
 *   (or its packets stalled) and the stream has fallen behind the playout point —
 *   resynchronise playout to `delayMs` behind it. Without this every later packet would
 *   be late too and the caller's audio would be lost for the rest of the call (100 ppm of
 *   clock skew is 60 ms in ten minutes);
 * - packet beyond the window (sender restarted its timestamps, long silence suppression,
 *   or accumulated clock drift): resynchronise playout to `delayMs` behind it;
 * - missing blocks: simple concealment — up to 20 ms repeating the last real block at
 *   half, then quarter gain, then silence (G.711 has no PLC of its own; ITU-T G.711
 *   Appendix I does better, to do).
 *
 * No adaptation of the delay yet: a fixed 60 ms is a reasonable default on LAN/VPN
 * trunks; the stats' jitter figure tells when it is not.
 */
import { MediaError, MediaErrorCode } from '../media-error.ts';

const BLOCK = 80; // 10 ms at 8 kHz
const EMPTY = -1;

export interface JitterBufferOptions {
  /** Playout delay behind the first packet (multiple of 10 ms), default 60. */
  delayMs?: number;
  /** Window size, default 640 ms. */
  capacityMs?: number;
}

export class JitterBuffer {
  private readonly capacityBlocks: number;
  private readonly delaySamples: number;
  private readonly ring: Int16Array;
  /** RTP timestamp held by each block, or EMPTY. */
  private readonly tags: Float64Array;
  private started = false;
  /** RTP timestamp of the next sample to play. */
  private playoutTs = 0;
  private playoutBlock = 0;
  /** RTP timestamp just past the newest packet stored (the stream's head). */
  private headTs = 0;
  /** Blocks that may still be concealed since the last real one. */
  private concealRemaining = 0;
  private readonly lastBlock = new Int16Array(BLOCK);
  late = 0;
  resyncs = 0;
  concealed = 0;

  constructor(options: JitterBufferOptions = {}) {
    const delayMs = options.delayMs ?? 60;
    const capacityMs = options.capacityMs ?? 640;
    if (delayMs % 10 !== 0 || capacityMs % 10 !== 0 || delayMs >= capacityMs) {
      throw new MediaError(
        MediaErrorCode.InvalidArgument,
        'jitter buffer sizes must be 10 ms multiples, delay < capacity',
      );
    }
    this.capacityBlocks = capacityMs / 10;
    this.delaySamples = delayMs * 8;
    this.ring = new Int16Array(this.capacityBlocks * BLOCK);
    this.tags = new Float64Array(this.capacityBlocks).fill(EMPTY);
  }

  /** Samples buffered ahead of the playout point (0 before the first packet). */
  get depthSamples(): number {
    let n = 0;
    for (let i = 0; i < this.capacityBlocks; i++) if (this.tags[i] !== EMPTY) n += BLOCK;
    return n;
  }

  /** Store one packet's decoded samples (`count` from `samples`) at its RTP timestamp. */
  put(timestamp: number, samples: Int16Array, count = samples.length): void {
    const ts = timestamp >>> 0;
    if (!this.started) this.resync(ts);
    let d = (ts - this.playoutTs) | 0;
    if (d < 0 && d + count <= 0) {
      if (((ts - this.headTs) | 0) < 0) {
        this.late++;
        return;
      }
      this.resync(ts); // the stream is behind the playout point, see above
      d = this.delaySamples;
    }
    if (d + count > this.capacityBlocks * BLOCK) {
      this.resync(ts);
      d = this.delaySamples;
    }
    // Whole blocks only; a partial leading block (packet straddling playout) is skipped.
    for (let offset = 0; offset + BLOCK <= count; offset += BLOCK) {
      const rel = d + offset;
      if (rel < 0) continue;
      const blockIndex = (this.playoutBlock + Math.floor(rel / BLOCK)) % this.capacityBlocks;
      const base = blockIndex * BLOCK;
      for (let i = 0; i < BLOCK; i++) this.ring[base + i] = samples[offset + i]!;
      this.tags[blockIndex] = (ts + offset) >>> 0;
    }
    if (((ts + count - this.headTs) | 0) > 0) this.headTs = (ts + count) >>> 0;
  }

  /**
   * One frame for the clock tick. Returns false (and leaves `out` zeroed) when nothing
   * real was played — before the first packet or during a gap after concealment ended.
   */
  getFrame(out: Int16Array): boolean {
    if (!this.started) return false;
    let real = false;
    for (let offset = 0; offset < out.length; offset += BLOCK) {
      const n = Math.min(BLOCK, out.length - offset);
      const index = this.playoutBlock;
      const base = index * BLOCK;
      if (this.tags[index] === this.playoutTs) {
        for (let i = 0; i < n; i++) out[offset + i] = this.ring[base + i]!;
        for (let i = 0; i < BLOCK; i++) this.lastBlock[i] = this.ring[base + i]!;
        this.tags[index] = EMPTY;
        this.concealRemaining = 2;
        real = true;
      } else if (this.concealRemaining > 0) {
        const shift = 3 - this.concealRemaining; // ½ then ¼
        for (let i = 0; i < n; i++) out[offset + i] = this.lastBlock[i]! >> shift;
        this.concealRemaining--;
        this.concealed++;
        this.tags[index] = EMPTY;
      } else {
        out.fill(0, offset, offset + n);
        this.tags[index] = EMPTY;
      }
      this.playoutTs = (this.playoutTs + BLOCK) >>> 0;
      this.playoutBlock = (index + 1) % this.capacityBlocks;
    }
    return real;
  }

  private resync(ts: number): void {
    if (this.started) this.resyncs++;
    this.started = true;
    this.tags.fill(EMPTY);
    this.playoutTs = (ts - this.delaySamples) >>> 0;
    this.playoutBlock = 0;
    this.concealRemaining = 0;
    this.headTs = ts;
  }
}
