/**
 * TCP transport (RFC 3261 §18): a listening socket plus outgoing connections, one
 * SipStreamFramer per connection. Responses to a request go back over the connection it
 * came in on (§18.2.2); requests to a destination reuse an open connection to it.
 * Connection failures after `send` returned are reported to `onConnectionError`; the
 * transaction then ends by Timer B/F.
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
}

const keyOf = (a: SocketAddress) => `${a.address}|${a.port}`;

export class TcpTransport {
  readonly #server: Server;
  readonly #options: TcpTransportOptions;
  readonly #handler: TcpTransportHandler;
  /** Open connections by remote address (incoming and outgoing). */
  readonly #connections = new Map<string, Socket>();
  #closed = false;

  private constructor(server: Server, options: TcpTransportOptions, handler: TcpTransportHandler) {
    this.#server = server;
    this.#options = options;
    this.#handler = handler;
    server.on('connection', (socket) => this.#adopt(socket));
    server.on('error', (err) =>
      handler.onConnectionError?.({ address: options.host, port: options.port }, err),
    );
  }

  static listen(options: TcpTransportOptions, handler: TcpTransportHandler): Promise<TcpTransport> {
    const server = createServer();
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve(new TcpTransport(server, options, handler));
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
  channel(destination: SocketAddress): Channel {
    return { reliable: true, send: (message: SipMessage) => this.send(message, destination) };
  }

  send(message: SipMessage, to: SocketAddress): void {
    if (this.#closed) throw new SipStackError(SipErrorCode.TransportError, 'transport closed');
    if (isUnsafeDestination(to.address) || this.#options.allowDestination?.(to.address) === false) {
      throw new SipStackError(SipErrorCode.TransportError, `refusing to connect to ${to.address}`);
    }
    let socket = this.#connections.get(keyOf(to));
    if (socket === undefined || socket.destroyed) {
      socket = connect({ host: to.address, port: to.port });
      this.#adopt(socket, to);
    }
    socket.write(serializeMessage(message));
  }

  #adopt(socket: Socket, outgoingTo?: SocketAddress): void {
    const peer: SocketAddress = outgoingTo ?? {
      address: socket.remoteAddress ?? '',
      port: socket.remotePort ?? 0,
    };
    const key = keyOf(peer);
    this.#connections.set(key, socket);
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
      if (this.#connections.get(key) === socket) this.#connections.delete(key);
    });
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
    for (const s of this.#connections.values()) s.destroy();
    this.#connections.clear();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
