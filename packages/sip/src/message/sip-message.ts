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
import { canonicalName } from './header-names.ts';
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

/** What `hit` returns for a slot with nothing cached for the asked revision. */
const MISS: unique symbol = Symbol('not cached');

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
   * The parsed value cached in `key`'s slot if it was computed from `from` (for a header:
   * its revision, `SipHeaders.revisionOf`), else MISS. Getters check, compute and `keep`
   * inline: a compute closure would be allocated on every access, hit or not.
   */
  protected hit(key: SlotKey, from: number | string): unknown {
    const slot = SLOT[key];
    return this.#from !== undefined && this.#from[slot] === from ? this.#values![slot] : MISS;
  }

  /** Cache `value` in `key`'s slot as computed from `from`; returns it. */
  protected keep<T>(key: SlotKey, from: number | string, value: T): T {
    const slot = SLOT[key];
    if (this.#values === undefined || this.#from === undefined) {
      this.#values = new Array(SLOTS);
      this.#from = new Array(SLOTS);
    }
    this.#values[slot] = value;
    this.#from[slot] = from;
    return value;
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

  /**
   * The single value of a header that must not repeat (RFC 3261 §7.3.1); `key` is its
   * lower-cased full name.
   */
  protected single(key: SlotKey): string | undefined {
    if (this.headers.countOfKey(key) > 1) {
      const header = canonicalName(key);
      throw new SipParseError(SipErrorCode.DuplicateHeader, `more than one ${header}`, header);
    }
    return this.headers.firstOfKey(key);
  }

  protected required(key: SlotKey): string {
    const v = this.single(key);
    if (v === undefined) {
      const header = canonicalName(key);
      throw new SipParseError(SipErrorCode.MissingHeader, `missing ${header}`, header);
    }
    return v;
  }

  /** Every Via value, topmost first (possibly several per header line). */
  get vias(): readonly Via[] {
    const rev = this.headers.revisionOf('via');
    const hit = this.hit('via', rev);
    if (hit !== MISS) return hit as readonly Via[];
    return this.keep('via', rev, this.headers.values('via').map(parseViaValue));
  }

  get topVia(): Via | undefined {
    return this.vias[0];
  }

  get from(): NameAddr {
    const rev = this.headers.revisionOf('from');
    const hit = this.hit('from', rev);
    if (hit !== MISS) return hit as NameAddr;
    return this.keep('from', rev, parseNameAddr(this.required('from'), 'From'));
  }

  get to(): NameAddr {
    const rev = this.headers.revisionOf('to');
    const hit = this.hit('to', rev);
    if (hit !== MISS) return hit as NameAddr;
    return this.keep('to', rev, parseNameAddr(this.required('to'), 'To'));
  }

  get callId(): string {
    const rev = this.headers.revisionOf('call-id');
    const hit = this.hit('call-id', rev);
    if (hit !== MISS) return hit as string;
    return this.keep('call-id', rev, parseCallId(this.required('call-id')));
  }

  get cseq(): CSeq {
    const rev = this.headers.revisionOf('cseq');
    const hit = this.hit('cseq', rev);
    if (hit !== MISS) return hit as CSeq;
    return this.keep('cseq', rev, parseCSeq(this.required('cseq')));
  }

  /** undefined when absent (RFC 2543 peers omit it; RFC 4475 "inv2543"). */
  get maxForwards(): number | undefined {
    const rev = this.headers.revisionOf('max-forwards');
    const hit = this.hit('max-forwards', rev);
    if (hit !== MISS) return hit as number | undefined;
    const v = this.single('max-forwards');
    return this.keep('max-forwards', rev, v === undefined ? undefined : parseMaxForwards(v));
  }

  get contentLength(): number | undefined {
    const rev = this.headers.revisionOf('content-length');
    const hit = this.hit('content-length', rev);
    if (hit !== MISS) return hit as number | undefined;
    const v = this.single('content-length');
    return this.keep('content-length', rev, v === undefined ? undefined : parseContentLength(v));
  }

  /** Lower-cased media type without parameters, e.g. "application/sdp". */
  get contentType(): string | undefined {
    const rev = this.headers.revisionOf('content-type');
    const hit = this.hit('content-type', rev);
    if (hit !== MISS) return hit as string | undefined;
    const v = this.single('content-type');
    return this.keep('content-type', rev, v === undefined ? undefined : mediaType(v));
  }

  get contacts(): ContactList {
    const rev = this.headers.revisionOf('contact');
    const hit = this.hit('contact', rev);
    if (hit !== MISS) return hit as ContactList;
    const values = this.headers.getAll('contact');
    return this.keep(
      'contact',
      rev,
      values.length === 0 ? { star: false, contacts: [] } : parseContacts(values),
    );
  }

  get routes(): readonly NameAddr[] {
    const rev = this.headers.revisionOf('route');
    const hit = this.hit('route', rev);
    if (hit !== MISS) return hit as readonly NameAddr[];
    return this.keep('route', rev, this.headers.values('route').map(parseRoute));
  }

  get recordRoutes(): readonly NameAddr[] {
    const rev = this.headers.revisionOf('record-route');
    const hit = this.hit('record-route', rev);
    if (hit !== MISS) return hit as readonly NameAddr[];
    return this.keep(
      'record-route',
      rev,
      this.headers.values('record-route').map(parseRecordRoute),
    );
  }
}

function parseViaValue(value: string): Via {
  return parseVia(value);
}

function parseRoute(value: string): NameAddr {
  return parseNameAddr(value, 'Route');
}

function parseRecordRoute(value: string): NameAddr {
  return parseNameAddr(value, 'Record-Route');
}

/** The media type of a Content-Type value, lower-cased, without parameters. */
function mediaType(v: string): string {
  const m = /^\s*([!#$%&'*+\-.^_`|~0-9A-Za-z]+\/[!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*(;.*)?$/.exec(v);
  if (m === null) {
    throw new SipParseError(SipErrorCode.BadHeaderValue, 'bad media type', 'Content-Type');
  }
  return m[1]!.toLowerCase();
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
    const text = this.uriText;
    const hit = this.hit('request-uri', text);
    if (hit !== MISS) return hit as Uri;
    return this.keep('request-uri', text, parseUri(text));
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
