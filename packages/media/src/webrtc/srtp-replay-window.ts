/**
 * SRTP/SRTCP replay protection (RFC 3711 §3.3.2): a sliding window of the most recent
 * packet indices. An index older than the window, or one already received inside it, is
 * a replay. The window is updated only after the packet authenticated (§3.3, step 8).
 *
 * Instead of shifting a bitmask, each of the `size` slots remembers the last index that
 * landed in it (index mod size): inside the window every index owns its slot, so "slot
 * holds this index" means "already received". No allocation, no shifting.
 */
export class SrtpReplayWindow {
  private readonly seen: Float64Array;
  private highest = -1;
  readonly size: number;

  /** RFC 3711 §3.3.2: the window size MUST be at least 64. */
  constructor(size = 128) {
    this.size = size;
    if (size < 64) throw new RangeError('replay window must hold at least 64 packets');
    this.seen = new Float64Array(size).fill(-1);
  }

  /** True when `index` may be accepted (not too old, not seen). */
  check(index: number): boolean {
    if (index > this.highest) return true;
    if (this.highest - index >= this.size) return false; // left of the window
    return this.seen[index % this.size] !== index;
  }

  /** Record an authenticated packet's index. */
  accept(index: number): void {
    this.seen[index % this.size] = index;
    if (index > this.highest) this.highest = index;
  }
}
