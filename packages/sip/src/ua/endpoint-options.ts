/**
 * The SipEndpoint's contract with its owner: construction options (hooks for admission
 * control, registrar, session timers), outgoing call options and the event map.
 */
import type { Clock } from '../clock/clock.ts';
import type { ServerLocator } from '../dns/server-locator.ts';
import type { SipRequest } from '../message/sip-message.ts';
import type { RandomHex } from '../transaction/identifiers.ts';
import type { NonInviteServerTransaction } from '../transaction/non-invite-server-transaction.ts';
import type { TimerConfig } from '../transaction/timer-values.ts';
import type { SocketAddress } from '../transport/response-routing.ts';
import type { TlsTransportOptions } from '../transport/tls-transport.ts';
import type { WebSocketListenOptions } from '../transport/websocket-transport.ts';
import type { ClientCredentials } from './digest-client.ts';
import type { IncomingInviteSession } from './incoming-invite-session.ts';
import type { IncomingMessage } from './out-of-dialog-message.ts';
import type { SessionTimerPolicy } from './session-timer.ts';

/** Answer for a request the endpoint should not process further. */
export interface Refuse {
  status: number;
  reason?: string;
  headers?: ReadonlyArray<readonly [string, string]>;
}

export interface SipEndpointOptions {
  clock?: Clock;
  timers?: TimerConfig;
  random?: RandomHex;
  /** User part of our Contact (default "uketsuke"). */
  user?: string;
  /**
   * New out-of-dialog requests other than INVITE, OPTIONS, CANCEL and ACK (e.g. a
   * registrar for REGISTER). Return true when the hook answered through `tx`.
   */
  onRequest?: (
    request: SipRequest,
    tx: NonInviteServerTransaction,
    source: SocketAddress,
  ) => boolean;
  /**
   * Honour RFC 4028 session timers when an INVITE asks (Session-Expires): 422 below
   * `minSE`, refresh or BYE on expiry. On by default (`{ minSE: 90 }`); `false` ignores
   * Session-Expires (as a UAS without the extension would, §9).
   */
  sessionTimer?: SessionTimerPolicy | false;
  /**
   * RFC 3263 resolution for `inviteLocated` and `locate` (default: a ServerLocator on the
   * system's DNS servers, for the transports attached).
   */
  locator?: ServerLocator;
  /**
   * Admission control for a new INVITE before any session exists (e.g. a 407 digest
   * challenge for unknown sources, §22.3; see DigestAuthenticator). Return (or resolve
   * to) a refusal to answer with it, undefined to let the call in.
   */
  screenInvite?: (
    request: SipRequest,
    source: SocketAddress,
  ) => Refuse | undefined | Promise<Refuse | undefined>;
  /**
   * Admission control for an out-of-dialog MESSAGE (RFC 3428) before any 'message'
   * listener sees it (e.g. `DigestAuthenticator.screenRequests`). Without it every
   * MESSAGE that reaches the endpoint is delivered. `onRequest` runs first: a hook that
   * answers a MESSAGE itself also owns its authentication.
   */
  screenMessage?: (
    request: SipRequest,
    source: SocketAddress,
  ) => Refuse | undefined | Promise<Refuse | undefined>;
}

export interface OutgoingCallOptions {
  /** Request-URI, e.g. "sip:service@127.0.0.1:5080". */
  uri: string;
  /** Where to send the INVITE; default: the Request-URI's host if it is an IP literal. */
  destination?: SocketAddress;
  /** From without tag, default `<sip:{user}@{local}>`. */
  from?: string;
  /** To, default `<{uri}>`. */
  to?: string;
  sdp?: string;
  headers?: ReadonlyArray<readonly [string, string]>;
  /** Answer 401/407 challenges with these (§22.2), e.g. for a carrier trunk. */
  credentials?: ClientCredentials;
  /** "UDP" or "TCP"; default: the URI's transport parameter, else the first transport. */
  transport?: string;
  /**
   * RFC 3262: Require: 100rel (every 1xx must then come reliably). By default the INVITE
   * only lists 100rel in Supported.
   */
  require100rel?: boolean;
  /**
   * Ask for an RFC 4028 session timer: Session-Expires (default 1800 s) and Min-SE
   * (default 90 s), Supported: timer, and optionally who should refresh (RFC 4028 §7.1).
   * A 422 is answered once with the peer's Min-SE
   * (§7.4); the 2xx's Session-Expires decides who refreshes. Off when undefined.
   */
  sessionTimer?: { interval?: number; minSE?: number; refresher?: 'uac' | 'uas' };
  /**
   * Without `sdp`: hold the ACK for the 2xx's offer until `ackWith(answer)` (a B2BUA
   * relaying a delayed offer). Default: ACK at once (without a body).
   */
  deferAck?: boolean;
}

/** The Request-URI's `transport` parameter (§19.1.1), upper-cased. */
export function uriTransport(uri: string): string | undefined {
  const m = /;transport=([A-Za-z]+)/i.exec(uri);
  return m?.[1]?.toUpperCase();
}

export interface SipEndpointEvents {
  /** A new INVITE: call ring/accept/reject on it. Without a listener: 480. */
  invite: [session: IncomingInviteSession];
  /**
   * MESSAGE outside a dialog (RFC 3428): 200 unless rejected during the event. Without
   * a listener MESSAGE goes to `onRequest`, else 405.
   */
  message: [message: IncomingMessage];
}

/** Listeners SipEndpoint.listen adds besides UDP and TCP (host defaults to theirs). */
export interface ExtraListeners {
  /** SIP over TLS (RFC 3261 §26.2), e.g. port 5061 (0: any). */
  tls?: Omit<TlsTransportOptions, 'host'> & { host?: string };
  /** SIP over WebSocket (RFC 7118): ws://, or wss:// with `cert` and `key`. */
  websocket?: Omit<WebSocketListenOptions, 'host'> & { host?: string };
}
