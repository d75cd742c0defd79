/**
 * A SipEndpoint's transport over WebSocket (RFC 7118): Via transport "WS" or "WSS"
 * (§5.2), reliable. Either a listener of its own (`listen`) or one fed by an HTTP server
 * that owns the port (`forUpgrades` + `handleUpgrade`). Messages to a WebSocket peer go
 * over its connection, found by the peer's socket address (the `source` a request came
 * from), since a WebSocket client cannot be reached any other way.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Channel } from '../transaction/transaction-types.ts';
import type { SocketAddress } from '../transport/response-routing.ts';
import {
  type WebSocketListenOptions,
  WebSocketTransport,
  type WebSocketTransportHandler,
  type WebSocketTransportOptions,
} from '../transport/websocket-transport.ts';
import type { EndpointReceiver, EndpointTransport } from './endpoint-transport.ts';
import { isSupportedOptionTag } from './option-tags.ts';

/** Require: 100rel / timer are ours to honour (RFC 3262, RFC 4028), not a 420. */
function withOptionTags<T extends WebSocketTransportOptions>(options: T): T {
  return {
    ...options,
    validation: { isExtensionSupported: isSupportedOptionTag, ...options.validation },
  };
}

export interface WebSocketEndpointEvents {
  /** A connection closed: requests to `peer` now fail with a transport error. */
  onClose?(peer: SocketAddress): void;
}

export class WebSocketEndpointTransport implements EndpointTransport {
  readonly protocol: 'WS' | 'WSS';
  readonly reliable = true;
  readonly #ws: WebSocketTransport;
  readonly #local: SocketAddress;

  private constructor(ws: WebSocketTransport, protocol: 'WS' | 'WSS', local: SocketAddress) {
    this.#ws = ws;
    this.protocol = protocol;
    this.#local = local;
  }

  static #handler(
    receiver: EndpointReceiver,
    events: WebSocketEndpointEvents,
  ): WebSocketTransportHandler {
    return {
      onRequest: (request, source, reply) => receiver.receiveRequest(request, source, reply),
      onResponse: (response, source) => receiver.receiveResponse(response, source),
      onClose: (peer) => events.onClose?.(peer),
    };
  }

  /** A ws:// listener, or wss:// when `cert` and `key` are given. */
  static async listen(
    options: WebSocketListenOptions,
    receiver: EndpointReceiver,
    events: WebSocketEndpointEvents = {},
  ): Promise<WebSocketEndpointTransport> {
    const ws = await WebSocketTransport.listen(
      withOptionTags(options),
      WebSocketEndpointTransport.#handler(receiver, events),
    );
    return new WebSocketEndpointTransport(ws, ws.secure ? 'WSS' : 'WS', ws.local);
  }

  /**
   * For an HTTP server that owns the port: call `handleUpgrade` from its upgrade handler.
   * `advertised` is the address written in Via and Contact (the HTTP server's), and
   * `secure` whether that server is HTTPS (Via "WSS").
   */
  static forUpgrades(
    options: WebSocketTransportOptions & { advertised: SocketAddress; secure?: boolean },
    receiver: EndpointReceiver,
    events: WebSocketEndpointEvents = {},
  ): WebSocketEndpointTransport {
    const ws = new WebSocketTransport(
      withOptionTags(options),
      WebSocketEndpointTransport.#handler(receiver, events),
    );
    return new WebSocketEndpointTransport(ws, options.secure ? 'WSS' : 'WS', options.advertised);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#ws.handleUpgrade(req, socket, head);
  }

  get local(): SocketAddress {
    return this.#local;
  }

  get connectionCount(): number {
    return this.#ws.connectionCount;
  }

  channel(to: SocketAddress): Channel {
    return this.#ws.channel(to);
  }

  close(): Promise<void> {
    return this.#ws.close();
  }
}
