/**
 * Decide how to answer an incoming message (RFC 3261 §8.2 UAS behaviour, §16.3 proxy
 * request validation, §18.3 framing). Never throws for bad input: every problem becomes a
 * Verdict. Requests get the status the RFC prescribes; malformed responses are dropped
 * (RFC 4475 "scalarlg", "bigcode"); ACKs are never answered (§17.1.1.3).
 */
import { SipErrorCode, SipParseError } from '../errors.ts';
import { splitList } from '../grammar/split-list.ts';
import { parseMessage } from '../message/parse-message.ts';
import { SIP_VERSION, type SipMessage, type SipRequest } from '../message/sip-message.ts';
import { reasonPhrase } from '../message/status-reasons.ts';
import type { Refusal, Verdict } from './verdict.ts';

export interface ValidationOptions {
  /** 'proxy' answers Max-Forwards: 0 with 483 and checks Proxy-Require (§16.3). */
  role?: 'uas' | 'proxy';
  /** Largest message accepted (default 65535); larger requests get 513 (§18.1.1). */
  maxMessageSize?: number;
  /** Largest body accepted (default 1 MiB); larger requests get 413 (§21.4.11). */
  maxBodySize?: number;
  /** Methods this element implements; others get 501 (§8.2.1). Default: every method. */
  isMethodSupported?: (method: string) => boolean;
  /** Request-URI schemes served; others get 416 (§8.2.2.1). Default sip, sips, tel. */
  supportedUriSchemes?: readonly string[];
  /** Option tags understood; unknown Require'd tags get 420 + Unsupported (§8.2.2.3). */
  isExtensionSupported?: (optionTag: string) => boolean;
  /** Body types understood; others get 415 + Accept (§8.2.3). Default: no check. */
  acceptedContentTypes?: readonly string[];
  /**
   * Body types this element could put in a response to `method`; when the request's
   * Accept matches none of them the answer is 406 (§21.4.7; RFC 4475 "sdp01").
   */
  responseContentTypes?: (method: string) => readonly string[] | undefined;
}

const DEFAULT_SCHEMES = ['sip', 'sips', 'tel'];

/** Header fields every request must carry (§8.1.1); Max-Forwards is optional for RFC 2543 peers. */
const REQUIRED = ['via', 'to', 'from', 'call-id', 'cseq'] as const;

function reject(
  request: SipRequest,
  status: number,
  reason: string,
  headers: ReadonlyArray<readonly [string, string]> = [],
  error?: SipParseError,
): Refusal {
  // No response is ever sent to an ACK (§17.1.1.3, §17.2.1).
  if (request.method === 'ACK') return { kind: 'drop', reason: `ACK: ${reason}`, error };
  // Without a Via there is nowhere to send a response (§18.2.2).
  if (!request.headers.has('via')) return { kind: 'drop', reason: `no Via: ${reason}`, error };
  return { kind: 'reject', request, status, reason, headers, error };
}

/** 400 reason phrase naming the header at fault. */
function badRequestReason(err: SipParseError): string {
  if (err.code === SipErrorCode.MissingHeader) return `Missing ${err.header} Header`;
  if (err.code === SipErrorCode.DuplicateHeader) return `Duplicate ${err.header} Header`;
  if (err.code === SipErrorCode.BodyTruncated) return 'Content-Length Exceeds Body';
  if (err.code === SipErrorCode.BadUri && err.header === undefined) return 'Bad Request-URI';
  if (err.header !== undefined) return `Bad ${err.header} Header`;
  return reasonPhrase(400);
}

/** Verdict for a parse failure: answer requests whose start line was readable, drop the rest. */
export function verdictForParseError(err: SipParseError): Refusal {
  const msg = err.partial;
  if (msg === undefined || msg.kind === 'response')
    return { kind: 'drop', reason: err.message, error: err };
  if (msg.version !== SIP_VERSION) return reject(msg, 505, reasonPhrase(505), [], err);
  if (err.code === SipErrorCode.MessageTooLarge)
    return reject(msg, 513, reasonPhrase(513), [], err);
  return reject(msg, 400, badRequestReason(err), [], err);
}

/** Parse a datagram and validate it. */
export function validateDatagram(data: Buffer, options: ValidationOptions = {}): Verdict {
  let msg: SipMessage;
  try {
    msg = parseMessage(data, { maxMessageSize: options.maxMessageSize ?? 65535 });
  } catch (err) {
    if (err instanceof SipParseError) return verdictForParseError(err);
    throw err;
  }
  return validateMessage(msg, options);
}

/** Touch every hot header so syntax errors surface here rather than deep in the stack. */
function checkCommonHeaders(msg: SipMessage): void {
  if (msg.vias.length === 0) {
    throw new SipParseError(SipErrorCode.MissingHeader, 'missing Via', 'Via');
  }
  void msg.from;
  void msg.to;
  void msg.callId;
  void msg.cseq;
  void msg.maxForwards;
  void msg.contentLength;
  void msg.contentType;
  void msg.contacts;
  void msg.routes;
  void msg.recordRoutes;
}

function tokensOf(msg: SipMessage, name: string): string[] {
  const out: string[] = [];
  for (const v of msg.headers.getAll(name)) {
    for (const t of splitList(v, name)) if (t.length > 0) out.push(t);
  }
  return out;
}

/** media-range matching with "*" wildcards (§20.1). */
function acceptMatches(range: string, type: string): boolean {
  const r = range.split(';')[0]!.trim().toLowerCase();
  if (r === '*/*' || r === type) return true;
  return r.endsWith('/*') && type.startsWith(r.slice(0, -1));
}

export function validateMessage(msg: SipMessage, options: ValidationOptions = {}): Verdict {
  if (msg.kind === 'response') {
    if (msg.version !== SIP_VERSION)
      return { kind: 'drop', reason: 'bad version', error: undefined };
    try {
      checkCommonHeaders(msg);
    } catch (err) {
      if (err instanceof SipParseError) return { kind: 'drop', reason: err.message, error: err };
      throw err;
    }
    return { kind: 'accept', message: msg };
  }
  try {
    return validateRequest(msg, options);
  } catch (err) {
    // Any header read lazily by a later check (Require, Accept...) may still be malformed.
    if (err instanceof SipParseError) return reject(msg, 400, badRequestReason(err), [], err);
    throw err;
  }
}

function validateRequest(req: SipRequest, options: ValidationOptions): Verdict {
  // §8.2 order: version first (RFC 4475 "badvers"), then syntax, then semantics.
  if (req.version !== SIP_VERSION) return reject(req, 505, reasonPhrase(505));
  const missing = missingRequired(req);
  if (missing !== undefined) {
    const err = new SipParseError(SipErrorCode.MissingHeader, `missing ${missing}`);
    return reject(req, 400, `Missing ${missingName(missing)} Header`, [], err);
  }
  try {
    checkCommonHeaders(req);
  } catch (err) {
    if (err instanceof SipParseError) return reject(req, 400, badRequestReason(err), [], err);
    throw err;
  }
  if ((req.contentLength ?? req.body.length) > (options.maxBodySize ?? 1 << 20)) {
    return reject(req, 413, reasonPhrase(413));
  }
  let scheme: string;
  try {
    const uri = req.uri;
    scheme = uri.kind === 'absolute' ? uri.scheme : uri.kind === 'tel' ? 'tel' : uri.scheme;
    // §19.1.1 table: headers are not allowed in a Request-URI (RFC 4475 "escruri").
    if (uri.kind === 'sip' && uri.headers.length > 0)
      return reject(req, 400, 'Headers Not Allowed In Request-URI');
  } catch (err) {
    if (err instanceof SipParseError) return reject(req, 400, 'Bad Request-URI', [], err);
    throw err;
  }
  // §8.2.2.1: unsupported scheme → 416 (RFC 4475 "unkscm", "novelsc").
  if (!(options.supportedUriSchemes ?? DEFAULT_SCHEMES).includes(scheme)) {
    return reject(req, 416, reasonPhrase(416));
  }
  // §16.3 step 3: a proxy must not forward a request with Max-Forwards 0 (RFC 4475
  // "zeromf"); an endpoint processes it normally.
  if (options.role === 'proxy' && req.maxForwards === 0) {
    return reject(req, 483, reasonPhrase(483));
  }
  // §8.2.1: unknown method → 501, checked before the CSeq mismatch (RFC 4475 "mismatch02").
  if (options.isMethodSupported && !options.isMethodSupported(req.method)) {
    return reject(req, 501, reasonPhrase(501));
  }
  // §8.1.1.5: the CSeq method must match the request method (RFC 4475 "mismatch01").
  if (req.cseq.method !== req.method) return reject(req, 400, 'CSeq Method Mismatch');
  const extensionHeader = options.role === 'proxy' ? 'proxy-require' : 'require';
  if (req.method !== 'ACK' && req.method !== 'CANCEL') {
    const supported = options.isExtensionSupported ?? (() => false);
    const unsupported = tokensOf(req, extensionHeader).filter((t) => !supported(t));
    if (unsupported.length > 0) {
      return reject(req, 420, reasonPhrase(420), [['Unsupported', unsupported.join(', ')]]);
    }
  }
  if (req.body.length > 0) {
    const type = req.contentType;
    if (type === undefined) return reject(req, 400, 'Missing Content-Type Header');
    const accepted = options.acceptedContentTypes;
    if (accepted !== undefined && !accepted.includes(type)) {
      return reject(req, 415, reasonPhrase(415), [['Accept', accepted.join(', ')]]);
    }
  }
  const produced = options.responseContentTypes?.(req.method);
  if (produced !== undefined && produced.length > 0 && req.headers.has('accept')) {
    const ranges = tokensOf(req, 'accept');
    if (ranges.length > 0 && !produced.some((t) => ranges.some((r) => acceptMatches(r, t)))) {
      return reject(req, 406, reasonPhrase(406));
    }
  }
  return { kind: 'accept', message: req };
}

/** The first of REQUIRED the request lacks, in REQUIRED's order (one pass over the fields). */
function missingRequired(req: SipRequest): string | undefined {
  let seen = 0;
  for (const f of req.headers) {
    const bit = REQUIRED_BIT.get(f.key);
    if (bit !== undefined) seen |= bit;
  }
  if (seen === ALL_REQUIRED) return undefined;
  return REQUIRED.find((_h, i) => (seen & (1 << i)) === 0);
}

const REQUIRED_BIT: ReadonlyMap<string, number> = new Map(REQUIRED.map((h, i) => [h, 1 << i]));
const ALL_REQUIRED = (1 << REQUIRED.length) - 1;

function missingName(key: string): string {
  return key === 'call-id'
    ? 'Call-ID'
    : key === 'cseq'
      ? 'CSeq'
      : key.charAt(0).toUpperCase() + key.slice(1);
}
