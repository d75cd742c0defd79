/**
 * UDP transport (RFC 3261 §18): one dgram socket; every datagram is parsed and validated,
 * malformed requests are answered statelessly with the verdict's status, good messages go
 * to the handler with a Channel bound to where answers must be sent.
 */
import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import { SipErrorCode, SipStackError } from '../errors.ts';
import { serializeMessage } from '../message/serialize-message.ts';
import type { SipMessage, SipRequest, SipResponse } from '../message/sip-message.ts';
import type { Channel } from '../transaction/transaction-types.ts';
import { type ValidationOptions, validateDatagram } from '../validation/validate-message.ts';
import type { Verdict } from '../validation/verdict.ts';
import { isUnsafeDestination } from './destination-guard.ts';
import { responseDestination, type SocketAddress, stampVia } from './response-routing.ts';
import { statelessReply } from './stateless-reply.ts';

export interface UdpTransportHandler {
  /** A valid request; `reply` is the channel its responses take (§18.2.2). */
  onRequest(request: SipRequest, source: SocketAddress, reply: Channel): void;
  onResponse(response: SipResponse, source: SocketAddress): void;
  /** Reports rejected (answered) and dropped datagrams. */
  onDiscard?(verdict: Exclude<Verdict, { kind: 'accept' }>, source: SocketAddress): void;
  /** Asynchronous socket errors (e.g. ICMP unreachable reported on send). */
  onSocketError?(error: Error): void;
}

export interface UdpTransportOptions {
  /** Local address to bind, e.g. "127.0.0.1" or "::1". */
  host: string;
  /** 0 picks an ephemeral port. */
  port: number;
  validation?: ValidationOptions;
  /** Extra destination policy; tests restrict sending to loopback with it. */
  allowDestination?: (address: string) => boolean;
}

/**
 * Destinations reaching `send` are IP literals (the destination guard refuses anything
 * else), so the socket's address lookup answers at once instead of going through
 * dns.lookup and a deferred tick; a name would still be resolved.
 */
function literalLookup(
  hostname: string,
  options: LookupOneOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  // Every send asks; most go to the same peer as the one before.
  if (hostname === lastLiteral) {
    callback(null, hostname, lastFamily);
    return;
  }
  const family = isIP(hostname);
  if (family === 0) {
    dnsLookup(hostname, options, callback);
    return;
  }
  lastLiteral = hostname;
  lastFamily = family;
  callback(null, hostname, family);
}

/** The last IP literal `literalLookup` was asked for, and its family. */
let lastLiteral = '';
let lastFamily = 0;

export class UdpTransport {
  readonly #socket: Socket;
  readonly #options: UdpTransportOptions;
  readonly #handler: UdpTransportHandler;
  /** Send completion callback, only when the handler wants socket errors. */
  readonly #afterSend: ((err: Error | null) => void) | undefined;
  #closed = false;
  /** The channel made last (see `channel`). */
  #lastChannel: UdpChannel | undefined;
  /** The last channel whose destination passed the destination checks. */
  #checked: UdpChannel | undefined;

  private constructor(socket: Socket, options: UdpTransportOptions, handler: UdpTransportHandler) {
    this.#socket = socket;
    this.#options = options;
    this.#handler = handler;
    const onError = handler.onSocketError;
    this.#afterSend =
      onError === undefined
        ? undefined
        : (err) => {
            if (err) onError(err);
          };
    // Node's RemoteInfo is a SocketAddress already (address, port; family and size besides).
    socket.on('message', (data, rinfo) => this.#receive(data, rinfo));
    // Without a listener an 'error' event would throw and end the process.
    socket.on('error', (err) => handler.onSocketError?.(err));
  }

  static open(options: UdpTransportOptions, handler: UdpTransportHandler): Promise<UdpTransport> {
    const socket = createSocket({
      type: isIP(options.host) === 6 ? 'udp6' : 'udp4',
      lookup: literalLookup,
    });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(options.port, options.host, () => {
        socket.off('error', reject);
        resolve(new UdpTransport(socket, options, handler));
      });
    });
  }

  get local(): SocketAddress {
    const a = this.#socket.address();
    return { address: a.address, port: a.port };
  }

  /**
   * A Channel to a resolved destination (IP literal and port). Consecutive requests from
   * one peer (a carrier, a proxy) share one: each server transaction keeps its channel for
   * 64*T1, and a busy server holds tens of thousands of them.
   */
  channel(destination: SocketAddress): Channel {
    const last = this.#lastChannel;
    if (
      last !== undefined &&
      last.port === destination.port &&
      last.address === destination.address
    ) {
      return last;
    }
    const channel = new UdpChannel(this, destination.address, destination.port);
    this.#lastChannel = channel;
    return channel;
  }

  /** Send a message; throws SIP_TRANSPORT_ERROR for refused or unsafe destinations. */
  send(message: SipMessage, to: SocketAddress): void {
    if (this.#closed) throw new SipStackError(SipErrorCode.TransportError, 'transport closed');
    if (to !== this.#checked) {
      if (
        isUnsafeDestination(to.address) ||
        this.#options.allowDestination?.(to.address) === false
      ) {
        throw new SipStackError(SipErrorCode.TransportError, `refusing to send to ${to.address}`);
      }
      // A channel's destination never changes: checked once, not on every send.
      if (to instanceof UdpChannel) this.#checked = to;
    }
    // Without a callback Node tries the send synchronously (no request object, no extra
    // tick); errors are only wanted when someone listens for them.
    this.#socket.send(serializeMessage(message), to.port, to.address, this.#afterSend);
  }

  #replyChannel(request: SipRequest, source: SocketAddress): Channel {
    const via = request.topVia;
    return this.channel((via && responseDestination(via)) ?? source);
  }

  #receive(data: Buffer, source: SocketAddress): void {
    const verdict = validateDatagram(data, this.#options.validation);
    if (verdict.kind === 'accept') {
      const msg = verdict.message;
      if (msg.kind === 'request') {
        stampVia(msg, source);
        this.#handler.onRequest(msg, source, this.#replyChannel(msg, source));
      } else {
        this.#handler.onResponse(msg, source);
      }
      return;
    }
    if (verdict.kind === 'reject') this.#answerStatelessly(verdict, source);
    this.#handler.onDiscard?.(verdict, source);
  }

  /** Answer a rejected request without a transaction (§8.2, §18.2.2). */
  #answerStatelessly(verdict: Extract<Verdict, { kind: 'reject' }>, source: SocketAddress): void {
    const { response, destination } = statelessReply(verdict, source);
    try {
      this.send(response, destination);
    } catch {
      // Refused destination: nothing to answer.
    }
  }

  /** Idempotent. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }
}

/**
 * A UDP destination as a Channel: one small object that is its own socket address (a
 * server transaction keeps its channel for 64*T1, so no closure and captured scope).
 */
class UdpChannel implements Channel, SocketAddress {
  readonly reliable = false;
  readonly #transport: UdpTransport;
  readonly address: string;
  readonly port: number;

  constructor(transport: UdpTransport, address: string, port: number) {
    this.#transport = transport;
    this.address = address;
    this.port = port;
  }

  send(message: SipMessage): void {
    this.#transport.send(message, this);
  }
}
