/**
 * A user agent endpoint (pjsip's endpoint, reduced to a pipeline): transport → transaction
 * layer → dialog table → sessions → application. It routes every incoming message:
 *
 *   request ─┬─ matches a server transaction (retransmission, non-2xx ACK) → transaction
 *            ├─ CANCEL → 200 + session.cancelled() (§9.2), or 481
 *            ├─ To tag → dialog table → session (§12.2.2), or 481 (ACK: dropped)
 *            └─ no To tag → same From tag/Call-ID/CSeq as a live transaction: 482
 *                           (§8.2.2.2); INVITE: new IncomingInviteSession ('invite'
 *                           event); OPTIONS: 200 (§11.2); others: the onRequest hook,
 *                           then for MESSAGE screenMessage + 'message' listeners
 *                           (out-of-dialog-message.ts), else 405. Listening on UDP/TCP/
 *                           TLS/WebSocket: endpoint-listeners.ts; INVITE and CANCEL
 *                           reception: invite-reception.ts; the SessionHost view each
 *                           session gets: endpoint-session-hosts.ts
 *   response ┬─ matches a client transaction → transaction → session
 *            └─ stray 2xx to INVITE → dialog table → ACK again (§13.2.2.4)
 */
import { EventEmitter } from 'node:events';
import { type Clock, systemClock } from '../clock/clock.ts';
import { dialogKey } from '../dialog/dialog.ts';
import { SipErrorCode, SipStackError } from '../errors.ts';
import { tagOf } from '../headers/name-addr.ts';
import type { SipRequest, SipResponse } from '../message/sip-message.ts';
import { createCallId, cryptoRandomHex, type RandomHex } from '../transaction/identifiers.ts';
import type { NonInviteServerTransaction } from '../transaction/non-invite-server-transaction.ts';
import { DEFAULT_TIMERS } from '../transaction/timer-values.ts';
import { TransactionLayer } from '../transaction/transaction-layer.ts';
import {
  type Channel,
  NO_SERVER_USER,
  type TransactionContext,
} from '../transaction/transaction-types.ts';
import type { SocketAddress } from '../transport/response-routing.ts';
import type { UdpTransportOptions } from '../transport/udp-transport.ts';
import { type EndpointReceiver, type EndpointTransport, hostPort } from './endpoint-transport.ts';
import { IncomingInviteSession } from './incoming-invite-session.ts';
import { buildInitialInvite, type RequestOrigin } from './initial-request.ts';
import { ALLOW, type InviteSession } from './invite-session.ts';
import { OutgoingInviteSession } from './outgoing-invite-session.ts';
import { RegistrationClient, type RegistrationOptions } from './registration-client.ts';
import type { SessionHost } from './session-host.ts';
import {
  type MessageResult,
  type OutgoingMessageOptions,
  receiveOutOfDialogMessage,
  sendOutOfDialogMessage,
} from './out-of-dialog-message.ts';
import { UdpEndpointTransport } from './udp-endpoint-transport.ts';
import { endpointTransports, inviteLocated } from '../dns/located-invite.ts';
import { ServerLocator, type SipTarget } from '../dns/server-locator.ts';
import {
  type OutgoingCallOptions,
  type Refuse,
  type SipEndpointEvents,
  type SipEndpointOptions,
  uriTransport,
} from './endpoint-options.ts';
import { uriDestination } from './uri-destination.ts';
import { type ListenOptions, listenAll } from './endpoint-listeners.ts';
import { newVia, SessionHosts } from './endpoint-session-hosts.ts';
import { respondFinal, respondFinalInNewTransaction } from './final-response.ts';
import { InviteReception } from './invite-reception.ts';

export class SipEndpoint extends EventEmitter<SipEndpointEvents> implements EndpointReceiver {
  readonly clock: Clock;
  readonly transactions: TransactionLayer;
  readonly #context: TransactionContext;
  readonly #random: RandomHex;
  readonly #user: string;
  readonly #options: SipEndpointOptions;
  readonly #dialogs = new Map<string, InviteSession>();
  readonly #sessions = new Set<InviteSession>();
  /** From tag | Call-ID | CSeq of live out-of-dialog server transactions (§8.2.2.2). */
  readonly #inFlight = new Set<string>();
  /** By Via protocol token ("UDP", "TCP"); the first attached is the default. */
  readonly #transports = new Map<string, EndpointTransport>();
  /** The SessionHost view of us per transport (endpoint-session-hosts.ts). */
  readonly #hosts: SessionHosts;
  /** New INVITEs and their CANCELs (invite-reception.ts). */
  readonly #invites: InviteReception;
  #closed = false;
  #locator: ServerLocator | undefined;

  constructor(options: SipEndpointOptions = {}) {
    super();
    this.#options = options;
    this.clock = options.clock ?? systemClock;
    this.#context = { clock: this.clock, timers: options.timers ?? DEFAULT_TIMERS };
    this.transactions = new TransactionLayer({ clock: this.clock, timers: this.#context.timers });
    this.#random = options.random ?? cryptoRandomHex;
    this.#user = options.user ?? 'uketsuke';
    this.#hosts = new SessionHosts({
      clock: this.clock,
      context: this.#context,
      transactions: this.transactions,
      random: this.#random,
      dialogs: this.#dialogs,
      contactFor: (protocol) => this.contactFor(protocol),
      sessionEnded: (session) => this.#sessionEnded(session),
    });
    this.#invites = new InviteReception({
      transactions: this.transactions,
      random: this.#random,
      options,
      inFlight: this.#inFlight,
      sessions: this.#sessions,
      events: this,
      isClosed: () => this.#closed,
      // In-dialog requests go back over the transport the INVITE came on.
      sessionHostFor: (viaProtocol) =>
        this.#sessionHost(
          this.#transports.has(viaProtocol) ? viaProtocol : this.#transport().protocol,
        ),
    });
  }

  /** Open a UDP socket and attach it (e.g. host "127.0.0.1", port 5060 or 0). */
  static async listenUdp(
    transport: UdpTransportOptions,
    options: SipEndpointOptions = {},
  ): Promise<SipEndpoint> {
    const endpoint = new SipEndpoint(options);
    endpoint.attach(await UdpEndpointTransport.open(transport, endpoint));
    return endpoint;
  }

  /**
   * UDP and TCP on one address and port (RFC 3261 §18: a UA listens on both), plus
   * `tls` and `websocket` listeners when given (endpoint-listeners.ts).
   */
  static listen(transport: ListenOptions, options: SipEndpointOptions = {}): Promise<SipEndpoint> {
    return listenAll(() => new SipEndpoint(options), transport);
  }

  /** Add a transport; at most one per protocol. */
  attach(transport: EndpointTransport): void {
    if (this.#transports.has(transport.protocol)) {
      throw new SipStackError(
        SipErrorCode.InvalidArgument,
        `endpoint already has a ${transport.protocol} transport`,
      );
    }
    this.#transports.set(transport.protocol, transport);
  }

  /** The attached transport for a Via protocol token ("UDP", "TLS", "WS", …). */
  transportFor(protocol: string): EndpointTransport | undefined {
    return this.#transports.get(protocol.toUpperCase());
  }

  /**
   * A connection (e.g. a WebSocket) to `peer` is gone: sessions with that peer end now
   * (RFC 7118 §5: nothing else reaches a WebSocket client). Incoming calls end as
   * 'transport-error'; outgoing ones hang up (their BYE cannot leave, so no wait).
   */
  connectionClosed(peer: SocketAddress): void {
    for (const s of [...this.#sessions]) {
      const a = s.remoteAddress;
      if (a.address !== peer.address || a.port !== peer.port) continue;
      if (s instanceof IncomingInviteSession) s.transportFailed();
      else s.hangup();
    }
  }

  /** RFC 3263: where requests for `uri` should go, best first. */
  locate(uri: string): Promise<SipTarget[]> {
    this.#locator ??=
      this.#options.locator ?? new ServerLocator({ transports: endpointTransports(this) });
    return this.#locator.locate(uri);
  }

  /**
   * Place a call to a URI that may name a host (RFC 3263 resolution and §4.3 failover;
   * see dns/located-invite.ts). Resolves once the INVITE is sent.
   */
  inviteLocated(
    options: Omit<OutgoingCallOptions, 'destination' | 'transport'>,
  ): Promise<OutgoingInviteSession> {
    this.#locator ??=
      this.#options.locator ?? new ServerLocator({ transports: endpointTransports(this) });
    return inviteLocated(this, this.#locator, options);
  }

  /** The default transport's address. */
  get local(): SocketAddress {
    return this.#transport().local;
  }

  /** Live sessions (for tests and metrics). */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Our Contact for the default transport (or `protocol`). */
  contactFor(protocol?: string): string {
    const t = this.#transport(protocol);
    // RFC 7118 §7: "ws" names WebSocket with or without TLS.
    const token = t.protocol === 'WSS' ? 'ws' : t.protocol.toLowerCase();
    const transport = t.protocol === 'UDP' ? '' : `;transport=${token}`;
    return `<sip:${this.#user}@${hostPort(t.local)}${transport}>`;
  }

  get contact(): string {
    return this.contactFor();
  }

  /** The transport for a protocol token (default: the first attached). */
  #transport(protocol?: string): EndpointTransport {
    const t =
      protocol === undefined
        ? this.#transports.values().next().value
        : this.#transports.get(protocol.toUpperCase());
    if (t === undefined) {
      throw new SipStackError(
        SipErrorCode.InvalidArgument,
        `endpoint has no ${protocol ?? ''} transport`.replace('  ', ' '),
      );
    }
    return t;
  }

  /**
   * The narrow view a session gets of us (session-host.ts), bound to one transport: one
   * per transport, shared by its sessions (endpoint-session-hosts.ts).
   */
  #sessionHost(protocol: string): SessionHost {
    return this.#hosts.of(this.#transport(protocol));
  }

  /** What requests we start on `t` need from us (ua/initial-request.ts). */
  #origin(t: EndpointTransport): RequestOrigin {
    const random = this.#random;
    return {
      local: t.local,
      newVia: () => newVia(t, random),
      random,
      user: this.#user,
    };
  }

  /** Sessions are tracked until they end (`#sessionEnded`, through their SessionHost). */
  #track<S extends InviteSession>(session: S): S {
    this.#sessions.add(session);
    return session;
  }

  #sessionEnded(session: InviteSession): void {
    this.#sessions.delete(session);
    if (session instanceof IncomingInviteSession) this.#invites.sessionEnded(session);
  }

  /** Place a call (§13.2.1). The INVITE is sent before this returns. */
  invite(options: OutgoingCallOptions): OutgoingInviteSession {
    if (this.#closed) throw new SipStackError(SipErrorCode.InvalidArgument, 'endpoint closed');
    const destination = options.destination ?? uriDestination(options.uri);
    if (destination === undefined) {
      throw new SipStackError(
        SipErrorCode.InvalidArgument,
        `no destination for ${options.uri} (give one: DNS is not supported)`,
      );
    }
    const transport = this.#transport(options.transport ?? uriTransport(options.uri));
    const request = buildInitialInvite(
      { ...this.#origin(transport), contact: this.contactFor(transport.protocol) },
      options,
    );
    return this.#track(
      new OutgoingInviteSession(
        this.#sessionHost(transport.protocol),
        request,
        destination,
        options.credentials,
        options.sessionTimer !== undefined,
        options.deferAck === true,
      ),
    );
  }

  /**
   * Keep our Contact registered at a registrar (§10.2), e.g. a carrier trunk. Starts at
   * once; call `stop()` on the result to unregister. Default destination: the registrar
   * URI's host when it is an IP literal.
   */
  register(
    options: Omit<RegistrationOptions, 'destination'> & {
      destination?: SocketAddress;
      transport?: string;
    },
  ): RegistrationClient {
    const destination = options.destination ?? uriDestination(options.registrar);
    if (destination === undefined) {
      throw new SipStackError(
        SipErrorCode.InvalidArgument,
        `no destination for ${options.registrar} (give one: DNS is not supported)`,
      );
    }
    const transport = this.#transport(options.transport ?? uriTransport(options.registrar));
    const client = new RegistrationClient(
      this.#sessionHost(transport.protocol),
      { ...options, destination },
      createCallId(transport.local.address, this.#random),
    );
    client.start();
    return client;
  }

  // ---- incoming ------------------------------------------------------------------

  receiveRequest(request: SipRequest, source: SocketAddress, reply: Channel): void {
    if (this.#closed) return;
    if (this.transactions.receiveRequest(request)) return;
    if (request.method === 'ACK') {
      // ACK for a 2xx: a new transaction id, routed by dialog (§13.3.1.4, §17.2.3).
      this.#dialogOf(request)?.receiveRequest(request, reply);
      return;
    }
    if (request.method === 'CANCEL') {
      this.#invites.receiveCancel(request, reply);
      return;
    }
    if (tagOf(request.to) !== undefined) {
      const session = this.#dialogOf(request);
      if (session !== undefined) session.receiveRequest(request, reply);
      else this.#refuse(request, reply, { status: 481 }); // §12.2.2
      return;
    }
    // §8.2.2.2 merged requests: same From tag, Call-ID and CSeq as a live transaction but
    // not a retransmission of it (e.g. a forked copy arriving by another path): 482.
    // Joined (a flat copy): a template literal would keep the whole request text alive.
    const parts = [tagOf(request.from) ?? '', request.callId, request.headers.get('cseq')];
    const mergeKey = parts.join('|');
    if (this.#inFlight.has(mergeKey)) {
      this.#refuse(request, reply, { status: 482 });
      return;
    }
    if (request.method === 'INVITE') {
      // The INVITE's transaction user forgets the key (no closure per INVITE).
      this.#invites.receive(request, source, reply, mergeKey);
      return;
    }
    this.#receiveOutOfDialog(request, source, reply);
    const tx = this.transactions.findServerTransaction(request);
    if (tx !== undefined && tx.state !== 'terminated') {
      this.#inFlight.add(mergeKey);
      tx.onTerminated(() => this.#inFlight.delete(mergeKey));
    }
  }

  #receiveOutOfDialog(request: SipRequest, source: SocketAddress, reply: Channel): void {
    switch (request.method) {
      case 'OPTIONS':
        // §11.2: answer as we would an INVITE right now.
        this.#refuse(request, reply, {
          status: 200,
          headers: [
            ['Allow', ALLOW],
            ['Accept', 'application/sdp'],
          ],
        });
        return;
      case 'BYE':
      case 'INFO':
      case 'PRACK':
      case 'UPDATE':
      case 'NOTIFY':
        this.#refuse(request, reply, { status: 481 });
        return;
      default: {
        // One server transaction for whatever answers: the app's hook first (a registrar,
        // or the app's own handling with its own authentication), then, for MESSAGE, the
        // screening and the 'message' listeners; else 405 (§8.2.1).
        const tx = this.transactions.createServerTransaction(
          request,
          reply,
          NO_SERVER_USER,
        ) as NonInviteServerTransaction;
        if (this.#options.onRequest?.(request, tx, source) === true) return;
        if (request.method === 'MESSAGE' && this.listenerCount('message') > 0) {
          receiveOutOfDialogMessage(request, source, {
            screen: this.#options.screenMessage,
            deliver: (message) => this.emit('message', message),
            answer: (refuse) => respondFinal(tx, request, refuse, this.#random),
            open: () => tx.state === 'trying' || tx.state === 'proceeding',
          });
          return;
        }
        respondFinal(tx, request, { status: 405, headers: [['Allow', ALLOW]] }, this.#random);
      }
    }
  }

  /**
   * Send a MESSAGE outside any dialog (RFC 3428 §4); resolves with the final status. One
   * 401/407 is answered with `credentials` (§22.2).
   */
  message(options: OutgoingMessageOptions): Promise<MessageResult> {
    if (this.#closed)
      return Promise.reject(new SipStackError(SipErrorCode.InvalidArgument, 'endpoint closed'));
    const destination = options.destination ?? uriDestination(options.uri);
    if (destination === undefined) {
      return Promise.reject(
        new SipStackError(
          SipErrorCode.InvalidArgument,
          `no destination for ${options.uri} (give one: DNS is not supported)`,
        ),
      );
    }
    const transport = this.#transport(options.transport ?? uriTransport(options.uri));
    return sendOutOfDialogMessage(
      {
        ...this.#origin(transport),
        transactions: this.transactions,
        channel: transport.channel(destination),
      },
      options,
    );
  }

  /** Answer a request with a final status through a new server transaction. */
  #refuse(request: SipRequest, reply: Channel, refuse: Refuse): void {
    respondFinalInNewTransaction(this.transactions, request, reply, refuse, this.#random);
  }

  #dialogOf(request: SipRequest): InviteSession | undefined {
    const localTag = tagOf(request.to);
    // A From without tag (RFC 2543) is a null tag (§12.1.1).
    const remoteTag = tagOf(request.from) ?? '';
    if (localTag === undefined) return undefined;
    return this.#dialogs.get(dialogKey({ callId: request.callId, localTag, remoteTag }));
  }

  receiveResponse(response: SipResponse, _source: SocketAddress): void {
    if (this.#closed) return;
    if (this.transactions.receiveResponse(response)) return;
    const status = response.status;
    if (status < 200 || status >= 300 || response.cseq.method !== 'INVITE') return;
    const localTag = tagOf(response.from);
    const remoteTag = tagOf(response.to);
    if (localTag === undefined || remoteTag === undefined) return;
    this.#dialogs
      .get(dialogKey({ callId: response.callId, localTag, remoteTag }))
      ?.receiveStray2xx(response);
  }

  /** End every session (BYE / CANCEL / 480 as their state calls for), then the transport. */
  async close(): Promise<void> {
    if (this.#closed) return;
    for (const s of [...this.#sessions]) s.close();
    this.#closed = true;
    // Let the BYEs / CANCELs just handed to the sockets leave before they close (a UDP
    // send to an IP literal completes on the next tick).
    await new Promise((resolve) => setImmediate(resolve));
    for (const t of this.#transports.values()) await t.close();
  }
}
