/**
 * Source decisions of an {@link RtpSession}, kept apart from its sockets and events:
 *
 * {@link SourceLatch} — symmetric RTP (RFC 4961's idea, "latching"): phones behind NAT
 * put an unreachable private address in their SDP, but their packets arrive from the
 * NAT's public mapping, so the first packet that fits the stream latches the session to
 * its transport address and pins its SSRC. RTP bleed hardening: an attacker who guesses
 * the port can race the caller's first packet, or send from elsewhere later to steal the
 * stream. So, once latched:
 *  - packets from any other transport address are foreign (dropped) while the latched
 *    source is alive; only after it has been silent for `relatchAfterSilenceMs` may a new
 *    source take over — a phone whose NAT mapping changed;
 *  - a new SSRC from the latched address is the same peer changing its source
 *    (RFC 3550 §8.2: after its own collision, or a B2BUA switching legs): followed and
 *    re-pinned.
 *
 * {@link SsrcConflicts} — a packet carrying *our* SSRC (RFC 3550 §8.2): the first time
 * from a transport address it is a collision (the session moves to a new random SSRC and
 * sends an RTCP BYE for the old one); from an address already known to conflict it is
 * our own traffic looped back (e.g. an echoing peer). The list is bounded, so hostile
 * input cannot grow it forever.
 */
import type { TransportAddress } from './rtp-sender.ts';

/** What {@link SourceLatch.judge} decided about a packet's source. */
export type LatchDecision =
  /** From the latched source (or its new SSRC): accept. */
  | 'accept'
  /** From elsewhere while the latched source is alive: drop (`foreignDiscarded`). */
  | 'foreign'
  /** A (new) source latched: accept, and send to it from now on. */
  | 'latched';

export class SourceLatch {
  private readonly relatchAfterSilenceMs: number;
  private readonly now: () => number;
  /** Latched to a source (RFC 4961 symmetric RTP). */
  latched = false;
  /** SSRC of the latched stream (RFC 3550 §8.2 source identification). */
  pinnedSsrc: number | undefined;
  /** When the latched source last sent an accepted packet (ms, `now`). */
  private lastFromSourceMs = 0;
  /** Times the remote SSRC changed on the latched source (accepted, re-pinned). */
  remoteSsrcChanges = 0;

  constructor(relatchAfterSilenceMs: number, now: () => number) {
    this.relatchAfterSilenceMs = relatchAfterSilenceMs;
    this.now = now;
  }

  /**
   * A packet with `ssrc` from `from`, while RTP goes to `remote`. On 'latched' the caller
   * switches its destination to `from` (if different) and reports the latch.
   */
  judge(
    from: { address: string; port: number },
    ssrc: number,
    remote: TransportAddress,
  ): LatchDecision {
    const now = this.now();
    if (this.latched && from.port === remote.port && from.address === remote.address) {
      if (ssrc !== this.pinnedSsrc) {
        // RFC 3550 §8.2: the same peer moved to a new SSRC; follow it.
        this.pinnedSsrc = ssrc;
        this.remoteSsrcChanges++;
      }
      this.lastFromSourceMs = now;
      return 'accept';
    }
    if (this.latched && now - this.lastFromSourceMs < this.relatchAfterSilenceMs) {
      return 'foreign'; // the latched source is alive: a stray, or a stream-stealing attempt
    }
    this.latched = true;
    this.pinnedSsrc = ssrc;
    this.lastFromSourceMs = now;
    return 'latched';
  }

  /** Allow latching at once again (new remote from a re-INVITE). */
  reset(): void {
    this.latched = false;
    this.pinnedSsrc = undefined;
  }
}

const MAX_CONFLICTING_ADDRESSES = 16;

export class SsrcConflicts {
  /** Transport addresses that sent our own SSRC (RFC 3550 §8.2 conflict list). */
  private readonly addresses = new Set<string>();

  /**
   * Our own SSRC arrived from `from`: 'collision' the first time from that address (the
   * caller picks a new SSRC and says BYE for the old one), 'loop' when it is known.
   */
  note(from: { address: string; port: number }): 'collision' | 'loop' {
    const key = `${from.address}|${from.port}`;
    if (this.addresses.has(key)) return 'loop';
    if (this.addresses.size >= MAX_CONFLICTING_ADDRESSES) this.addresses.clear();
    this.addresses.add(key);
    return 'collision';
  }
}
