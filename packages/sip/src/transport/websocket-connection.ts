/**
 * SIP over WebSocket (RFC 7118) for one connection: the HTTP server's WebSocket library
 * (e.g. @fastify/websocket, subprotocol "sip") owns the socket and hands us each message.
 * Every WebSocket message carries exactly one SIP message, so framing is the datagram
 * rule: Content-Length is optional (RFC 7118 §5). The connection is reliable, and all
 * responses and in-dialog requests to this peer go back over it.
 */
import type { SipMessage, SipRequest, SipResponse } from '../message/sip-message.ts';
import { serializeMessage } from '../message/serialize-message.ts';
import { SipErrorCode, SipStackError } from '../errors.ts';
import type { Channel } from '../transaction/transaction-types.ts';
import { type ValidationOptions, validateDatagram } from '../validation/validate-message.ts';
import type { Refusal } from '../validation/verdict.ts';
import { type SocketAddress, stampVia } from './response-routing.ts';
import { statelessReply } from './stateless-reply.ts';

/** The part of a WebSocket we need; text frames for SIP (RFC 7118 §5.1 allows both). */
export interface MessageSocket {
  send(data: string): void;
  close(): void;
}

export interface WebSocketSipHandler {
  onRequest(request: SipRequest, peer: SocketAddress, reply: Channel): void;
  onResponse(response: SipResponse, peer: SocketAddress): void;
  onDiscard?(verdict: Refusal, peer: SocketAddress): void;
}

export class WebSocketSipConnection {
  readonly peer: SocketAddress;
  readonly channel: Channel;
  readonly #socket: MessageSocket;
  readonly #handler: WebSocketSipHandler;
  readonly #validation: ValidationOptions | undefined;
  #closed = false;

  constructor(
    socket: MessageSocket,
    peer: SocketAddress,
    handler: WebSocketSipHandler,
    validation?: ValidationOptions,
  ) {
    this.#socket = socket;
    this.peer = peer;
    this.#handler = handler;
    this.#validation = validation;
    this.channel = {
      reliable: true,
      send: (message: SipMessage) => {
        if (this.#closed) throw new SipStackError(SipErrorCode.TransportError, 'WebSocket closed');
        this.#socket.send(serializeMessage(message).toString('utf8'));
      },
    };
  }

  /** Feed one WebSocket message. */
  receive(data: string | Buffer): void {
    if (this.#closed) return;
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const verdict = validateDatagram(bytes, this.#validation);
    if (verdict.kind === 'accept') {
      const msg = verdict.message;
      if (msg.kind === 'request') {
        // RFC 7118 §5.2: the Via names an invalid host; received records the real peer.
        stampVia(msg, this.peer);
        this.#handler.onRequest(msg, this.peer, this.channel);
      } else {
        this.#handler.onResponse(msg, this.peer);
      }
      return;
    }
    if (verdict.kind === 'reject') {
      try {
        this.channel.send(statelessReply(verdict, this.peer).response);
      } catch {
        // closed meanwhile
      }
    }
    this.#handler.onDiscard?.(verdict, this.peer);
  }

  /** Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }
}
