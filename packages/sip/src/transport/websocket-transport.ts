/**
 * SIP over WebSocket server (RFC 7118) on the npm `ws` library: ws:// and wss:// listeners
 * of its own, or `handleUpgrade(req, socket, head)` for an HTTP server that already owns
 * the port (e.g. the product's Fastify server). Each connection is a WebSocketSipConnection
 * (one SIP message per WebSocket message, RFC 7118 §5).
 *
 * - The handshake must offer the "sip" subprotocol (RFC 7118 §4.1); anything else gets
 *   HTTP 400 and no WebSocket.
 * - Responses and requests to a peer go over its connection (§5: the server cannot reach a
 *   WebSocket client any other way); `channel(peer)` finds it by the peer's socket address.
 * - When a connection closes, its channel refuses to send (a transport error for whatever
 *   transaction tries) and `onClose` is told, so the owner can end the flows on it.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { SecureContextOptions } from 'node:tls';
import { type WebSocket, WebSocketServer } from 'ws';
import { SipErrorCode, SipStackError } from '../errors.ts';
import type { SipMessage } from '../message/sip-message.ts';
import type { Channel } from '../transaction/transaction-types.ts';
import type { ValidationOptions } from '../validation/validate-message.ts';
import type { SocketAddress } from './response-routing.ts';
import { WebSocketSipConnection, type WebSocketSipHandler } from './websocket-connection.ts';

export const SIP_SUBPROTOCOL = 'sip';

export interface WebSocketTransportHandler extends WebSocketSipHandler {
  onOpen?(peer: SocketAddress): void;
  /** The connection to `peer` is gone: nothing more can be sent to it. */
  onClose?(peer: SocketAddress): void;
  onConnectionError?(peer: SocketAddress, error: Error): void;
}

export interface WebSocketTransportOptions {
  validation?: ValidationOptions;
  /** Largest WebSocket message accepted (default 1 MiB + 64 KiB; larger closes with 1009). */
  maxMessageBytes?: number;
  /** Accept only these Origin values (RFC 6455 §10.2); default: any. */
  allowOrigin?: (origin: string | undefined) => boolean;
}

export interface WebSocketListenOptions extends WebSocketTransportOptions {
  host: string;
  port: number;
  /** With both: wss:// (TLS); else ws://. */
  cert?: string | Buffer;
  key?: string | Buffer;
  secureContext?: SecureContextOptions;
}

const keyOf = (a: SocketAddress) => `${a.address}|${a.port}`;

function offersSip(req: IncomingMessage): boolean {
  const header = req.headers['sec-websocket-protocol'];
  if (typeof header !== 'string') return false;
  return header.split(',').some((p) => p.trim().toLowerCase() === SIP_SUBPROTOCOL);
}

function refuseHandshake(socket: Duplex, status: number, reason: string): void {
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.destroy();
}

export class WebSocketTransport {
  /** True for a wss:// listener of our own. */
  readonly secure: boolean;
  readonly #wss: WebSocketServer;
  readonly #handler: WebSocketTransportHandler;
  readonly #options: WebSocketTransportOptions;
  readonly #connections = new Map<string, { ws: WebSocket; sip: WebSocketSipConnection }>();
  readonly #server: HttpServer | undefined;
  #closed = false;

  /** For an HTTP server of the caller's: feed it upgrade requests via handleUpgrade. */
  constructor(
    options: WebSocketTransportOptions,
    handler: WebSocketTransportHandler,
    server?: HttpServer,
    secure = false,
  ) {
    this.#options = options;
    this.#handler = handler;
    this.#server = server;
    this.secure = secure;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxMessageBytes ?? (1 << 20) + 65536,
      clientTracking: false,
      handleProtocols: (protocols) => (protocols.has(SIP_SUBPROTOCOL) ? SIP_SUBPROTOCOL : false),
    });
  }

  /** A ws:// (or, with cert and key, wss://) listener of our own. */
  static listen(
    options: WebSocketListenOptions,
    handler: WebSocketTransportHandler,
  ): Promise<WebSocketTransport> {
    const secure = options.cert !== undefined && options.key !== undefined;
    const server: HttpServer = secure
      ? createHttpsServer({
          ...options.secureContext,
          cert: options.cert,
          key: options.key,
          minVersion: options.secureContext?.minVersion ?? 'TLSv1.2',
        })
      : createHttpServer();
    const transport = new WebSocketTransport(options, handler, server, secure);
    // Plain HTTP requests: this port speaks WebSocket only (RFC 7231 §6.5.15).
    server.on('request', (_req, res) => {
      res.writeHead(426, { Upgrade: 'websocket', Connection: 'Upgrade' }).end();
    });
    server.on('upgrade', (req, socket, head) => transport.handleUpgrade(req, socket, head));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve(transport);
      });
    });
  }

  /** Our listener's address (only for `listen`). */
  get local(): SocketAddress {
    const a = this.#server?.address();
    if (a === null || a === undefined || typeof a === 'string')
      throw new SipStackError(SipErrorCode.TransportError, 'not listening');
    return { address: a.address, port: a.port };
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  /**
   * Take over an HTTP upgrade request (the `upgrade` event of a node:http server, or a
   * Fastify/undici route that hands over the raw socket). Refuses with 400 when the client
   * does not offer the "sip" subprotocol, 403 for an unwanted Origin.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => {}); // a reset during the handshake is not our crash
    if (this.#closed) {
      refuseHandshake(socket, 503, 'Service Unavailable');
      return;
    }
    if (!offersSip(req)) {
      refuseHandshake(socket, 400, 'Bad Request');
      return;
    }
    if (this.#options.allowOrigin?.(req.headers.origin) === false) {
      refuseHandshake(socket, 403, 'Forbidden');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#adopt(ws, req));
  }

  #adopt(ws: WebSocket, req: IncomingMessage): void {
    const peer: SocketAddress = {
      address: req.socket.remoteAddress ?? '',
      port: req.socket.remotePort ?? 0,
    };
    const key = keyOf(peer);
    const sip = new WebSocketSipConnection(
      {
        send: (data) => ws.send(data),
        close: () => ws.close(1000),
      },
      peer,
      this.#handler,
      this.#options.validation,
    );
    const entry = { ws, sip };
    this.#connections.set(key, entry);
    ws.on('message', (data) => {
      // RFC 7118 §5.1: text or binary frames, one SIP message each (ws itself closes the
      // connection with 1007 on a text frame that is not UTF-8).
      const bytes = Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.isBuffer(data)
          ? data
          : Buffer.from(data);
      sip.receive(bytes);
    });
    ws.on('error', (err) => this.#handler.onConnectionError?.(peer, err));
    ws.on('close', () => {
      sip.close();
      if (this.#connections.get(key) === entry) this.#connections.delete(key);
      this.#handler.onClose?.(peer);
    });
    this.#handler.onOpen?.(peer);
  }

  /** The channel over the open connection from `peer`; sending throws once it is gone. */
  channel(peer: SocketAddress): Channel {
    return {
      reliable: true,
      send: (message: SipMessage) => {
        const entry = this.#connections.get(keyOf(peer));
        if (entry === undefined) {
          throw new SipStackError(
            SipErrorCode.TransportError,
            `no WebSocket connection from ${keyOf(peer)}`,
          );
        }
        entry.sip.channel.send(message);
      },
    };
  }

  /** Close every connection (1001 going away) and our listener, if any. Idempotent. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    for (const { ws } of this.#connections.values()) ws.close(1001);
    const connections = [...this.#connections.values()];
    this.#connections.clear();
    // Give closing handshakes a moment, then cut what is left.
    const cut = setTimeout(() => {
      for (const { ws } of connections) ws.terminate();
    }, 1000);
    cut.unref();
    this.#wss.close();
    const server = this.#server;
    if (server === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
