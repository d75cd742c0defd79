/**
 * Frames SIP messages out of a byte stream (TCP, TLS): the header section ends at the
 * first CRLFCRLF, then exactly Content-Length body bytes follow (RFC 3261 §18.3). On a
 * stream Content-Length is mandatory; without it (or with a bad one) the framing is lost
 * and the connection must be closed after the error is reported.
 */
import { SipErrorCode, SipParseError } from '../errors.ts';
import { declaredLength, type MessageHead, parseHead, skipLeadingCrlf } from './parse-message.ts';
import type { SipMessage } from './sip-message.ts';

export interface StreamFramerOptions {
  /** Largest header section accepted (default 64 KiB). */
  maxHeaderBytes?: number;
  /** Largest body accepted (default 1 MiB). */
  maxBodyBytes?: number;
}

export type FramerOutput =
  | { readonly kind: 'message'; readonly message: SipMessage }
  /** A malformed message whose framing was still intact; the stream continues. */
  | { readonly kind: 'error'; readonly error: SipParseError; readonly fatal: false }
  /** Framing is lost: report, then close the connection. */
  | { readonly kind: 'error'; readonly error: SipParseError; readonly fatal: true };

const CRLFCRLF = Buffer.from('\r\n\r\n');

export class SipStreamFramer {
  readonly #maxHeaderBytes: number;
  readonly #maxBodyBytes: number;
  #buffer: Buffer = Buffer.alloc(0);
  #pending: { head: MessageHead; bodyStart: number; length: number } | undefined;
  #failed = false;

  constructor(options: StreamFramerOptions = {}) {
    this.#maxHeaderBytes = options.maxHeaderBytes ?? 65536;
    this.#maxBodyBytes = options.maxBodyBytes ?? 1 << 20;
  }

  /** True once a fatal error was returned; further input is ignored. */
  get failed(): boolean {
    return this.#failed;
  }

  /** Bytes buffered but not yet part of a complete message. */
  get buffered(): number {
    return this.#buffer.length;
  }

  push(chunk: Buffer): FramerOutput[] {
    if (this.#failed) return [];
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const out: FramerOutput[] = [];
    for (;;) {
      const next = this.#next();
      if (next === undefined) break;
      out.push(next);
      if (next.kind === 'error' && next.fatal) break;
    }
    return out;
  }

  #fatal(error: SipParseError): FramerOutput {
    this.#failed = true;
    this.#buffer = Buffer.alloc(0);
    this.#pending = undefined;
    return { kind: 'error', error, fatal: true };
  }

  #next(): FramerOutput | undefined {
    if (this.#pending === undefined) {
      // CRLF keep-alives between messages are ignored (RFC 3261 §7.5, RFC 5626 §3.5.1).
      const start = skipLeadingCrlf(this.#buffer);
      if (start > 0) this.#buffer = this.#buffer.subarray(start);
      if (this.#buffer.length === 0) return undefined;
      const end = this.#buffer.indexOf(CRLFCRLF);
      if (end < 0) {
        if (this.#buffer.length > this.#maxHeaderBytes) {
          return this.#fatal(
            new SipParseError(SipErrorCode.MessageTooLarge, 'header section too large'),
          );
        }
        return undefined;
      }
      if (end > this.#maxHeaderBytes) {
        return this.#fatal(
          new SipParseError(SipErrorCode.MessageTooLarge, 'header section too large'),
        );
      }
      let head: MessageHead;
      let length: number | undefined;
      try {
        head = parseHead(this.#buffer.toString('utf8', 0, end));
        length = declaredLength(head);
      } catch (err) {
        if (err instanceof SipParseError) return this.#fatal(err);
        throw err;
      }
      if (length === undefined) {
        const err = new SipParseError(
          SipErrorCode.MissingContentLength,
          'Content-Length is mandatory on stream transports',
          'Content-Length',
        );
        err.partial = head.message;
        return this.#fatal(err);
      }
      if (length > this.#maxBodyBytes) {
        const err = new SipParseError(
          SipErrorCode.MessageTooLarge,
          'body too large',
          'Content-Length',
        );
        err.partial = head.message;
        return this.#fatal(err);
      }
      this.#pending = { head, bodyStart: end + 4, length };
    }
    const p = this.#pending;
    if (this.#buffer.length < p.bodyStart + p.length) return undefined;
    // Copy the body: the stream buffer is reused for what follows.
    const body = Buffer.from(this.#buffer.subarray(p.bodyStart, p.bodyStart + p.length));
    this.#buffer = this.#buffer.subarray(p.bodyStart + p.length);
    this.#pending = undefined;
    p.head.message.body = body;
    if (p.head.lineError) return { kind: 'error', error: p.head.lineError, fatal: false };
    return { kind: 'message', message: p.head.message };
  }
}
