/**
 * Stream transports (RFC 3261 §18): a listening socket plus outgoing connections, one
 * SipStreamFramer per connection. Responses to a request go back over the connection it
 * came in on (§18.2.2); requests to a destination reuse an open connection to it.
 * Connection failures after `send` returned are reported to `onConnectionError`; the
 * transaction then ends by Timer B/F. `connect` opens (or finds) a connection ahead of
 * time so a caller can fail over before sending (RFC 3263 §4.3).
 *
 * `StreamTransport` is shared by TCP (here) and TLS (`tls-transport.ts`), which differ only
 * in how sockets are made and when a connection counts as established.
 */
import { createServer, type Server, type Socket, connect } from 'node:net';
import { SipErrorCode, SipStackError } from '../errors.ts';
import { serializeMessage } from '../message/serialize-message.ts';
import type { SipMessage, SipRequest, SipResponse } from '../message/sip-message.ts';
import { SipStreamFramer, type StreamFramerOptions } from '../message/stream-framer.ts';
import type { Channel } from '../transaction/transaction-types.ts';
import {
  type ValidationOptions,
  validateMessage,
  verdictForParseError,
} from '../validation/validate-message.ts';
import type { Verdict } from '../validation/verdict.ts';
import { isUnsafeDestination } from './destination-guard.ts';
import { type SocketAddress, stampVia } from './response-routing.ts';
import { statelessReply } from './stateless-reply.ts';

export interface TcpTransportHandler {
  /** A valid request; `reply` writes on the connection it arrived on. */
  onRequest(request: SipRequest, source: SocketAddress, reply: Channel): void;
  onResponse(response: SipResponse, source: SocketAddress): void;
  onDiscard?(verdict: Exclude<Verdict, { kind: 'accept' }>, source: SocketAddress): void;
  onConnectionError?(peer: SocketAddress, error: Error): void;
}

export interface TcpTransportOptions extends StreamFramerOptions {
  host: string;
  port: number;
  validation?: ValidationOptions;
  allowDestination?: (address: string) => boolean;
  /** Close connections idle for this long (default 10 minutes). */
  idleTimeoutMs?: number;
  /** Give up on an outgoing connection not established within this (default 10 s). */
  connectTimeoutMs?: number;
}

/** A peer to connect to; TLS also checks the certificate against `serverName`. */
export interface StreamDestination extends SocketAddress {
  serverName?: string;
}

/** How a concrete stream transport makes sockets. */
export interface StreamSockets {
  /** Open an outgoing connection; `established` fires once it may carry SIP. */
  dial(to: StreamDestination): { socket: Socket; established: 'connect' | 'secureConnect' };
}

/**
 * Connections are reused per peer address; an outgoing TLS connection also per name its
 * certificate was checked against, so one verified for one domain never serves another.
 */
const keyOf = (a: StreamDestination) =>
  a.serverName === undefined ? `${a.address}|${a.port}` : `${a.address}|${a.port}|${a.serverName}`;

interface Connection {
  socket: Socket;
  /** Settles once the connection is usable (at once for accepted sockets). */
  ready: Promise<void>;
}

export class StreamTransport {
  readonly #server: Server;
  readonly #options: TcpTransportOptions;
  readonly #handler: TcpTransportHandler;
  readonly #sockets: StreamSockets;
  /** Open connections by remote address (incoming and outgoing). */
  readonly #connections = new Map<string, Connection>();
  #closed = false;

  protected constructor(
    server: Server,
    options: TcpTransportOptions,
    handler: TcpTransportHandler,
    sockets: StreamSockets,
    /** The server event that hands over a usable socket. */
    acceptEvent: 'connection' | 'secureConnection',
  ) {
    this.#server = server;
    this.#options = options;
    this.#handler = handler;
    this.#sockets = sockets;
    server.on(acceptEvent, (socket: Socket) => this.#adopt(socket, Promise.resolve()));
    server.on('error', (err) =>
      handler.onConnectionError?.({ address: options.host, port: options.port }, err),
    );
  }

  protected static bind(server: Server, options: TcpTransportOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  get local(): SocketAddress {
    const a = this.#server.address();
    if (a === null || typeof a === 'string')
      throw new SipStackError(SipErrorCode.TransportError, 'not listening');
    return { address: a.address, port: a.port };
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  /** A reliable Channel to `destination`, connecting on first use. */
  channel(destination: StreamDestination): Channel {
    return { reliable: true, send: (message: SipMessage) => this.send(message, destination) };
  }

  send(message: SipMessage, to: StreamDestination): void {
    // A connecting socket buffers writes until it is established.
    this.#connection(to).socket.write(serializeMessage(message));
  }

  /**
   * Resolve once a connection to `to` can carry SIP (TCP connected, TLS handshake done),
   * reject with a transport error otherwise. Reuses an open connection.
   */
  connect(to: StreamDestination): Promise<void> {
    try {
      return this.#connection(to).ready;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #connection(to: StreamDestination): Connection {
    if (this.#closed) throw new SipStackError(SipErrorCode.TransportError, 'transport closed');
    if (isUnsafeDestination(to.address) || this.#options.allowDestination?.(to.address) === false) {
      throw new SipStackError(SipErrorCode.TransportError, `refusing to connect to ${to.address}`);
    }
    const open = this.#connections.get(keyOf(to)) ?? this.#anyVerified(to);
    if (open !== undefined && !open.socket.destroyed) return open;
    const { socket, established } = this.#sockets.dial(to);
    const idleMs = this.#options.idleTimeoutMs ?? 600_000;
    const ready = new Promise<void>((resolve, reject) => {
      socket.once(established, () => {
        socket.setTimeout(idleMs);
        resolve();
      });
      socket.once('close', () =>
        reject(new SipStackError(SipErrorCode.TransportError, `no connection to ${keyOf(to)}`)),
      );
    });
    // Callers that only `send` learn of failures through onConnectionError and Timer B/F.
    ready.catch(() => {});
    const connection = this.#adopt(socket, ready, to);
    // Until established, the socket's inactivity timer bounds the connect (and handshake).
    socket.setTimeout(this.#options.connectTimeoutMs ?? 10_000);
    return connection;
  }

  /**
   * Without a name to check (e.g. an in-dialog request to a Contact address), a connection
   * already verified for some name at that address serves (RFC 3261 §18: reuse).
   */
  #anyVerified(to: StreamDestination): Connection | undefined {
    if (to.serverName !== undefined) return undefined;
    const prefix = `${keyOf(to)}|`;
    for (const [key, c] of this.#connections) if (key.startsWith(prefix)) return c;
    return undefined;
  }

  #adopt(socket: Socket, ready: Promise<void>, outgoingTo?: SocketAddress): Connection {
    const peer: SocketAddress = outgoingTo ?? {
      address: socket.remoteAddress ?? '',
      port: socket.remotePort ?? 0,
    };
    const key = keyOf(peer);
    const connection: Connection = { socket, ready };
    this.#connections.set(key, connection);
    const framer = new SipStreamFramer(this.#options);
    const reply: Channel = {
      reliable: true,
      send: (message: SipMessage) => {
        if (socket.destroyed)
          throw new SipStackError(SipErrorCode.TransportError, 'connection closed');
        socket.write(serializeMessage(message));
      },
    };
    socket.setTimeout(this.#options.idleTimeoutMs ?? 600_000, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      for (const out of framer.push(chunk)) {
        if (out.kind === 'message') {
          this.#deliver(out.message, peer, reply);
        } else {
          this.#reject(verdictForParseError(out.error), peer, reply);
          // Framing lost: nothing after this point can be trusted (§18.3).
          if (out.fatal) socket.end();
        }
      }
    });
    socket.on('error', (err) => this.#handler.onConnectionError?.(peer, err));
    socket.on('close', () => {
      if (this.#connections.get(key) === connection) this.#connections.delete(key);
    });
    return connection;
  }

  #deliver(message: SipMessage, peer: SocketAddress, reply: Channel): void {
    const verdict = validateMessage(message, this.#options.validation);
    if (verdict.kind !== 'accept') {
      this.#reject(verdict, peer, reply);
      return;
    }
    const msg = verdict.message;
    if (msg.kind === 'request') {
      stampVia(msg, peer);
      this.#handler.onRequest(msg, peer, reply);
    } else {
      this.#handler.onResponse(msg, peer);
    }
  }

  #reject(
    verdict: Exclude<Verdict, { kind: 'accept' }>,
    peer: SocketAddress,
    reply: Channel,
  ): void {
    if (verdict.kind === 'reject') {
      try {
        reply.send(statelessReply(verdict, peer).response);
      } catch {
        // The connection is gone; nothing to answer on.
      }
    }
    this.#handler.onDiscard?.(verdict, peer);
  }

  /** Close the listener and every connection. Idempotent. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    for (const c of this.#connections.values()) c.socket.destroy();
    this.#connections.clear();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** SIP over TCP. */
export class TcpTransport extends StreamTransport {
  static async listen(
    options: TcpTransportOptions,
    handler: TcpTransportHandler,
  ): Promise<TcpTransport> {
    const server = createServer();
    await StreamTransport.bind(server, options);
    return new TcpTransport(
      server,
      options,
      handler,
      {
        dial: (to) => ({
          socket: connect({ host: to.address, port: to.port }),
          established: 'connect',
        }),
      },
      'connection',
    );
  }
}
