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
 * - packet beyond the window but continuing the stream (a burst after our process
 *   stalled longer than the window holds): the oldest blocks make room — counted in
 *   `overflowed`, the only way a received block is lost;
 * - packet far from the stream's head (beyond the window ahead of it, or more than the
 *   window behind it: the sender restarted its timestamps, a new SSRC, long silence
 *   suppression): a new timeline — mapped to continue right after the audio still
 *   buffered, or, with nothing buffered, playout resynchronised `delayMs` behind it;
 * - missing blocks: simple concealment — up to 20 ms repeating the last real block at
 *   half, then quarter gain, then silence (G.711 has no PLC of its own; ITU-T G.711
 *   Appendix I does better, to do).
 *
 * The delay target is fixed (60 ms suits LAN/VPN trunks; the stats' jitter figure tells
 * when it does not), but the buffer shrinks back to it: a stall followed by a burst, or a
 * late-head resync, leaves playout further behind the stream than the target. When the
 * smallest depth seen over a second (50 frames) exceeds the target by more than two
 * blocks, that excess is dropped over the next second — only blocks that are quiet (peak
 * below {@link QUIET_PEAK}) or missing, so no speech is cut (counted in `shrunk`). A
 * recording then keeps the caller's channel in step with ours, and the tail still held
 * at hang-up stays short.
 */
import { MediaError, MediaErrorCode } from '../media-error.ts';
import { FRAME_MS } from './media-port.ts';

const BLOCK = 80; // 10 ms at 8 kHz
const DEFAULT_CAPACITY_MS = 1000;
/** 20 ms frames a default buffer holds: the most a drain or a stall replay can use. */
export const JITTER_CAPACITY_FRAMES = DEFAULT_CAPACITY_MS / FRAME_MS;
const EMPTY = -1;
/**
 * Peak |sample| below which a block counts as quiet (−46 dBFS: line noise, not speech;
 * below sox's 0.5 % silence level too).
 */
export const QUIET_PEAK = 160;
/** Frames per depth-measuring window of the shrinking (1 s of 20 ms frames). */
const SHRINK_WINDOW_FRAMES = 50;

export interface JitterBufferOptions {
  /** Playout delay behind the first packet (multiple of 10 ms), default 60. */
  delayMs?: number;
  /** Window size, default 1000 ms (16 KB; a stall longer than this loses audio). */
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
  /** Subtracted from every incoming timestamp: maps a restarted timeline onto ours. */
  private tsOffset = 0;
  /** Blocks that may still be concealed since the last real one. */
  private concealRemaining = 0;
  private readonly lastBlock = new Int16Array(BLOCK);
  /** Smallest depth (samples) seen at a frame in the current shrink window. */
  private minDepth = Number.POSITIVE_INFINITY;
  private windowFrames = 0;
  /** Blocks the shrinking may still drop in this window. */
  private dropBudget = 0;
  late = 0;
  resyncs = 0;
  concealed = 0;
  /** Real blocks discarded to make room (window overflow). */
  overflowed = 0;
  /** Quiet or missing blocks skipped to bring the delay back to target. */
  shrunk = 0;

  constructor(options: JitterBufferOptions = {}) {
    const delayMs = options.delayMs ?? 60;
    const capacityMs = options.capacityMs ?? DEFAULT_CAPACITY_MS;
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

  /** Samples from the playout point to the stream's head (what a drain would play). */
  get bufferedSamples(): number {
    return this.started ? Math.max(0, (this.headTs - this.playoutTs) | 0) : 0;
  }

  /** Store one packet's decoded samples (`count` from `samples`) at its RTP timestamp. */
  put(timestamp: number, samples: Int16Array, count = samples.length): void {
    let ts = (timestamp - this.tsOffset) >>> 0;
    if (!this.started) this.resync(ts);
    const capacity = this.capacityBlocks * BLOCK;
    let d = (ts - this.playoutTs) | 0;
    const ahead = (ts - this.headTs) | 0;
    if (ahead < -capacity || (d + count > capacity && ahead > capacity / 2)) {
      ts = this.newTimeline(ts);
      d = (ts - this.playoutTs) | 0;
    }
    if (d < 0 && d + count <= 0) {
      if (((ts - this.headTs) | 0) < 0) {
        this.late++;
        return;
      }
      this.resync(ts); // the stream is behind the playout point, see above
      d = this.delaySamples;
    }
    if (d + count > capacity) {
      // The stream goes on past the window: keep all that fits.
      const excess = Math.min(this.capacityBlocks, Math.ceil((d + count - capacity) / BLOCK));
      this.discardOldest(excess);
      d -= excess * BLOCK;
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
    this.measureDepth();
    let real = false;
    for (let offset = 0; offset < out.length; offset += BLOCK) {
      const n = Math.min(BLOCK, out.length - offset);
      while (this.dropBudget > 0 && this.droppable()) {
        this.tags[this.playoutBlock] = EMPTY;
        this.advance();
        this.dropBudget--;
        this.shrunk++;
      }
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
      this.advance();
    }
    return real;
  }

  private advance(): void {
    this.playoutTs = (this.playoutTs + BLOCK) >>> 0;
    this.playoutBlock = (this.playoutBlock + 1) % this.capacityBlocks;
  }

  /**
   * A packet far from the stream's head — more than the window behind it, or ahead of it
   * beyond the window: the sender restarted its timestamps (new SSRC, a re-INVITE to
   * another media source) or suppressed a long silence. With audio still buffered, the
   * new timeline is mapped to continue right after it (`tsOffset`), so none of it is
   * lost; otherwise playout restarts `delayMs` behind the packet. Returns its mapped
   * timestamp.
   */
  private newTimeline(ts: number): number {
    if (this.bufferedSamples === 0) {
      this.resync(ts);
      return ts;
    }
    this.resyncs++;
    this.tsOffset = (this.tsOffset + ts - this.headTs) >>> 0;
    return this.headTs;
  }

  /** Overflow: move playout `blocks` forward, dropping what they held. */
  private discardOldest(blocks: number): void {
    for (let i = 0; i < blocks; i++) {
      if (this.tags[this.playoutBlock] === this.playoutTs) this.overflowed++;
      this.tags[this.playoutBlock] = EMPTY;
      this.advance();
    }
  }

  /**
   * Once per frame: the depth ahead of playout. At the end of each window the smallest
   * depth seen, less the target and two blocks of margin, becomes the next window's
   * budget of blocks to drop (jitter alone keeps the minimum near the target: no drop).
   */
  private measureDepth(): void {
    const depth = (this.headTs - this.playoutTs) | 0;
    if (depth < this.minDepth) this.minDepth = depth;
    if (++this.windowFrames < SHRINK_WINDOW_FRAMES) return;
    const excess = Math.floor((this.minDepth - this.delaySamples) / BLOCK) - 2;
    this.dropBudget = Math.max(0, excess);
    this.minDepth = Number.POSITIVE_INFINITY;
    this.windowFrames = 0;
  }

  /** The next block may be skipped: missing or quiet, with more than the target behind it. */
  private droppable(): boolean {
    if (((this.headTs - this.playoutTs) | 0) <= this.delaySamples + BLOCK) return false;
    const index = this.playoutBlock;
    if (this.tags[index] !== this.playoutTs) return true;
    const base = index * BLOCK;
    for (let i = 0; i < BLOCK; i++) {
      const s = this.ring[base + i]!;
      if (s >= QUIET_PEAK || s <= -QUIET_PEAK) return false;
    }
    return true;
  }

  private resync(ts: number): void {
    if (this.started) this.resyncs++;
    this.started = true;
    this.tags.fill(EMPTY);
    this.playoutTs = (ts - this.delaySamples) >>> 0;
    this.playoutBlock = 0;
    this.concealRemaining = 0;
    this.headTs = ts;
    this.minDepth = Number.POSITIVE_INFINITY;
    this.windowFrames = 0;
    this.dropBudget = 0;
  }
}
