/** Seams between the transaction layer, the transport below and the TU above (§17). */
import type { Clock } from '../clock/clock.ts';
import type { SipStackError } from '../errors.ts';
import type { SipMessage, SipRequest, SipResponse } from '../message/sip-message.ts';
import type { TimerConfig } from './timer-values.ts';

/**
 * Where a transaction's messages go: a destination bound to one transport. `reliable`
 * selects the timer set (§17.1.1.2: no retransmissions over TCP/TLS/SCTP). `send` throws
 * on failure, which the transaction reports as a transport error (§17.1.4, §17.2.4).
 */
export interface Channel {
  readonly reliable: boolean;
  send(message: SipMessage): void;
}

export interface TransactionContext {
  readonly clock: Clock;
  readonly timers: TimerConfig;
}

export interface ClientTransactionUser {
  onResponse(response: SipResponse): void;
  /** Timer B / F fired: treat as a 408 (§8.1.3.1). */
  onTimeout?(): void;
  onTransportError?(error: SipStackError): void;
  onTerminated?(): void;
}

export interface ServerTransactionUser {
  /** Timer H fired without an ACK (§17.2.1). */
  onTimeout?(): void;
  /** RFC 6026 §7.1: an ACK for a 2xx matched the transaction in the Accepted state. */
  onAck?(ack: SipRequest): void;
  onTransportError?(error: SipStackError): void;
  onTerminated?(): void;
}

/** A server transaction user that wants no callbacks (shared: it holds nothing). */
export const NO_SERVER_USER: ServerTransactionUser = Object.freeze({});
