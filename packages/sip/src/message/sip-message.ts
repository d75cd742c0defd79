/**
 * SIP requests and responses (RFC 3261 §7). The start line is parsed eagerly; the hot
 * headers (Via, From, To, Call-ID, CSeq, Max-Forwards, Content-Length, Contact, Route,
 * Record-Route) are parsed on first access and cached until the headers change; every
 * other header stays raw text in `headers`. Accessors throw SipParseError on bad syntax.
 */
import { SipErrorCode, SipParseError } from '../errors.ts';
import { type ContactList, parseContacts } from '../headers/contact.ts';
import { type NameAddr, parseNameAddr } from '../headers/name-addr.ts';
import {
  type CSeq,
  parseCallId,
  parseContentLength,
  parseCSeq,
  parseMaxForwards,
} from '../headers/scalar-headers.ts';
import { parseVia, type Via } from '../headers/via.ts';
import { formatUri } from '../uri/format-uri.ts';
import { parseUri } from '../uri/parse-uri.ts';
import type { Uri } from '../uri/uri-types.ts';
import { canonicalName, headerKey } from './header-names.ts';
import { SipHeaders } from './sip-headers.ts';

export const SIP_VERSION = 'SIP/2.0';

/** The body of bodiless messages: one shared empty Buffer (nothing can be written to it). */
const NO_BODY = Buffer.alloc(0);

/**
 * Cache slots of the lazily parsed headers. A fixed array indexed by slot is cheaper than
 * a Map per message, both to read and for the garbage collector.
 */
const SLOT = {
  via: 0,
  from: 1,
  to: 2,
  'call-id': 3,
  cseq: 4,
  'max-forwards': 5,
  'content-length': 6,
  'content-type': 7,
  contact: 8,
  route: 9,
  'record-route': 10,
  'request-uri': 11,
} as const;
type SlotKey = keyof typeof SLOT;
const SLOTS = 12;

abstract class SipMessageBase {
  readonly headers: SipHeaders;
  body: Buffer;
  /** Parsed values by slot, and what each was computed from (header revision or text). */
  #values: unknown[] | undefined;
  #from: Array<number | string | undefined> | undefined;

  constructor(headers: SipHeaders, body: Buffer) {
    this.headers = headers;
    this.body = body;
  }

  /**
   * Memoize a parsed header (`key`: its lower-cased full name) until that header changes;
   * changes to other headers keep it.
   */
  protected cached<T>(key: Exclude<SlotKey, 'request-uri'>, compute: () => T): T {
    return this.memo(key, this.headers.revisionOf(key), compute);
  }

  /**
   * Forget every parsed header (they are parsed again on the next access). Transactions
   * call it when a message only waits out a timer, so a busy server does not keep tens of
   * thousands of parsed messages alive for 64*T1.
   */
  releaseParsed(): void {
    this.#values = undefined;
    this.#from = undefined;
  }

  /** Memoize a value in `key`'s slot for as long as `from` stays the same. */
  protected memo<T>(key: SlotKey, from: number | string, compute: () => T): T {
    const slot = SLOT[key];
    if (this.#values === undefined || this.#from === undefined) {
      this.#values = new Array(SLOTS);
      this.#from = new Array(SLOTS);
    } else if (this.#from[slot] === from) {
      return this.#values[slot] as T;
    }
    const value = compute();
    this.#values[slot] = value;
    this.#from[slot] = from;
    return value;
  }

  /** The single value of a header that must not repeat (RFC 3261 §7.3.1). */
  protected single(name: string): string | undefined {
    const all = this.headers.getAll(name);
    if (all.length > 1) {
      const header = canonicalName(headerKey(name));
      throw new SipParseError(SipErrorCode.DuplicateHeader, `more than one ${header}`, header);
    }
    return all[0];
  }

  protected required(name: string): string {
    const v = this.single(name);
    if (v === undefined) {
      const header = canonicalName(headerKey(name));
      throw new SipParseError(SipErrorCode.MissingHeader, `missing ${header}`, header);
    }
    return v;
  }

  /** Every Via value, topmost first (possibly several per header line). */
  get vias(): readonly Via[] {
    return this.cached('via', () => this.headers.values('via').map((v) => parseVia(v)));
  }

  get topVia(): Via | undefined {
    return this.vias[0];
  }

  get from(): NameAddr {
    return this.cached('from', () => parseNameAddr(this.required('from'), 'From'));
  }

  get to(): NameAddr {
    return this.cached('to', () => parseNameAddr(this.required('to'), 'To'));
  }

  get callId(): string {
    return this.cached('call-id', () => parseCallId(this.required('call-id')));
  }

  get cseq(): CSeq {
    return this.cached('cseq', () => parseCSeq(this.required('cseq')));
  }

  /** undefined when absent (RFC 2543 peers omit it; RFC 4475 "inv2543"). */
  get maxForwards(): number | undefined {
    return this.cached('max-forwards', () => {
      const v = this.single('max-forwards');
      return v === undefined ? undefined : parseMaxForwards(v);
    });
  }

  get contentLength(): number | undefined {
    return this.cached('content-length', () => {
      const v = this.single('content-length');
      return v === undefined ? undefined : parseContentLength(v);
    });
  }

  /** Lower-cased media type without parameters, e.g. "application/sdp". */
  get contentType(): string | undefined {
    return this.cached('content-type', () => {
      const v = this.single('content-type');
      if (v === undefined) return undefined;
      const m = /^\s*([!#$%&'*+\-.^_`|~0-9A-Za-z]+\/[!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*(;.*)?$/.exec(
        v,
      );
      if (m === null) {
        throw new SipParseError(SipErrorCode.BadHeaderValue, 'bad media type', 'Content-Type');
      }
      return m[1]!.toLowerCase();
    });
  }

  get contacts(): ContactList {
    return this.cached('contact', () => {
      const values = this.headers.getAll('contact');
      return values.length === 0 ? { star: false, contacts: [] } : parseContacts(values);
    });
  }

  get routes(): readonly NameAddr[] {
    return this.cached('route', () =>
      this.headers.values('route').map((v) => parseNameAddr(v, 'Route')),
    );
  }

  get recordRoutes(): readonly NameAddr[] {
    return this.cached('record-route', () =>
      this.headers.values('record-route').map((v) => parseNameAddr(v, 'Record-Route')),
    );
  }
}

export class SipRequest extends SipMessageBase {
  readonly kind = 'request';
  method: string;
  /** Request-URI as written; `uri` parses it on demand. */
  uriText: string;
  version: string;

  constructor(
    method: string,
    uriText: string,
    headers = new SipHeaders(),
    body: Buffer = NO_BODY,
    version = SIP_VERSION,
  ) {
    super(headers, body);
    this.method = method;
    this.uriText = uriText;
    this.version = version;
  }

  get uri(): Uri {
    return this.memo('request-uri', this.uriText, () => parseUri(this.uriText));
  }

  set uri(uri: Uri) {
    this.uriText = formatUri(uri);
  }
}

export class SipResponse extends SipMessageBase {
  readonly kind = 'response';
  status: number;
  reason: string;
  version: string;

  constructor(
    status: number,
    reason: string,
    headers = new SipHeaders(),
    body: Buffer = NO_BODY,
    version = SIP_VERSION,
  ) {
    super(headers, body);
    this.status = status;
    this.reason = reason;
    this.version = version;
  }
}

export type SipMessage = SipRequest | SipResponse;
