/**
 * An in-memory network for tests, in the spirit of pjsip's loop transport: endpoints
 * exchange serialized bytes on a virtual clock, with seeded loss, delay (and so
 * reordering) and duplication. Only registered addresses exist; anything else is a
 * transport error, so no test can ever reach a real host.
 */
import type { Clock } from '../clock/clock.ts';
import { SipErrorCode, SipStackError } from '../errors.ts';
import { serializeMessage } from '../message/serialize-message.ts';
import type { SipMessage } from '../message/sip-message.ts';
import type { Channel } from '../transaction/transaction-types.ts';

export interface LoopbackFaults {
  /** Probability in [0, 1] that a datagram is lost. */
  drop?: number;
  /** Probability that a datagram is delivered twice. */
  duplicate?: number;
  /** Delivery delay range in ms; a range wider than the send gap reorders packets. */
  delayMs?: readonly [number, number];
  /** Deterministic loss: return true to drop this datagram. */
  dropIf?: (data: Buffer, from: string, to: string) => boolean;
}

export type LoopbackReceiver = (data: Buffer, from: string) => void;

export interface LoopbackStats {
  sent: number;
  dropped: number;
  duplicated: number;
  delivered: number;
}

export class LoopbackNetwork {
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #endpoints = new Map<string, LoopbackReceiver>();
  faults: LoopbackFaults;
  readonly stats: LoopbackStats = { sent: 0, dropped: 0, duplicated: 0, delivered: 0 };

  constructor(options: { clock: Clock; random?: () => number; faults?: LoopbackFaults }) {
    this.#clock = options.clock;
    this.#random = options.random ?? Math.random;
    this.faults = options.faults ?? {};
  }

  /** Register `address` (any label, e.g. "127.0.0.1:5060"); returns an unbind function. */
  bind(address: string, receiver: LoopbackReceiver): () => void {
    if (this.#endpoints.has(address)) {
      throw new SipStackError(SipErrorCode.InvalidArgument, `${address} already bound`);
    }
    this.#endpoints.set(address, receiver);
    return () => this.#endpoints.delete(address);
  }

  /** Send raw bytes from one bound address to another. */
  sendBytes(from: string, to: string, data: Buffer): void {
    if (!this.#endpoints.has(to)) {
      throw new SipStackError(SipErrorCode.TransportError, `no loopback endpoint at ${to}`);
    }
    this.stats.sent++;
    const f = this.faults;
    if (f.dropIf?.(data, from, to) || (f.drop !== undefined && this.#random() < f.drop)) {
      this.stats.dropped++;
      return;
    }
    const copies = f.duplicate !== undefined && this.#random() < f.duplicate ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let i = 0; i < copies; i++) {
      const [lo, hi] = f.delayMs ?? [0, 0];
      const delay = lo + this.#random() * (hi - lo);
      this.#clock.schedule(delay, () => {
        const receiver = this.#endpoints.get(to);
        if (receiver === undefined) return;
        this.stats.delivered++;
        receiver(data, from);
      });
    }
  }

  /** A transaction Channel from `from` to `to`, unreliable like UDP unless told otherwise. */
  channel(from: string, to: string, reliable = false): Channel {
    return {
      reliable,
      send: (message: SipMessage) => this.sendBytes(from, to, serializeMessage(message)),
    };
  }
}
