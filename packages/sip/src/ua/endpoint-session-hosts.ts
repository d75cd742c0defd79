/**
 * The SessionHost views (session-host.ts) a SipEndpoint gives its sessions and
 * registration clients, bound to one transport: one view per transport, made on first use
 * and shared by everything on it (a transport is attached once, so its address, and our
 * Contact on it, never change).
 */
import type { Clock } from '../clock/clock.ts';
import { createBranch, createTag, type RandomHex } from '../transaction/identifiers.ts';
import type { TransactionLayer } from '../transaction/transaction-layer.ts';
import type { TransactionContext } from '../transaction/transaction-types.ts';
import { type EndpointTransport, hostPort } from './endpoint-transport.ts';
import type { InviteSession } from './invite-session.ts';
import type { SessionHost } from './session-host.ts';

/** What the views are made of: the endpoint's parts, given once when the endpoint is made. */
export interface SessionHostSource {
  readonly clock: Clock;
  readonly context: TransactionContext;
  readonly transactions: TransactionLayer;
  readonly random: RandomHex;
  /** The endpoint's dialog table (key from dialogKey). */
  readonly dialogs: Map<string, InviteSession>;
  /** Our Contact on the transport of that protocol. */
  readonly contactFor: (protocol: string) => string;
  /** A session ended (called unbound: give a function, not a method). */
  readonly sessionEnded: (session: InviteSession) => void;
}

export class SessionHosts {
  readonly #source: SessionHostSource;
  /** By transport protocol ("UDP", "TCP", …). */
  readonly #hosts = new Map<string, SessionHost>();

  constructor(source: SessionHostSource) {
    this.#source = source;
  }

  /** The view for `transport` (made on first use). */
  of(transport: EndpointTransport): SessionHost {
    let host = this.#hosts.get(transport.protocol);
    if (host === undefined) {
      host = this.#create(transport);
      this.#hosts.set(transport.protocol, host);
    }
    return host;
  }

  #create(transport: EndpointTransport): SessionHost {
    const { clock, context, transactions, random, dialogs, sessionEnded } = this.#source;
    return {
      clock,
      context,
      transactions,
      contact: this.#source.contactFor(transport.protocol),
      newVia: () => newVia(transport, random),
      newTag: () => createTag(random),
      channel: (to) => transport.channel(to),
      registerDialog: (key, session) => dialogs.set(key, session),
      unregisterDialog: (key) => dialogs.delete(key),
      sessionEnded,
    };
  }
}

/** A Via for a request we start on `transport`: a fresh branch (§8.1.1.7), rport (RFC 3581). */
export function newVia(transport: EndpointTransport, random: RandomHex): string {
  return `SIP/2.0/${transport.protocol} ${hostPort(transport.local)};branch=${createBranch(random)};rport`;
}
