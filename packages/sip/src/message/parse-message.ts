/**
 * Parse a SIP message from bytes (RFC 3261 §7): start line, header fields with line
 * folding, then the body framed by Content-Length (§18.3, §20.14).
 */
import { SipErrorCode, SipParseError } from '../errors.ts';
import { isToken, isWsp, trimWsp } from '../grammar/charsets.ts';
import { parseContentLength } from '../headers/scalar-headers.ts';
import { commonSpellingAt, resolveName } from './header-names.ts';
import { type HeaderField, SipHeaders } from './sip-headers.ts';
import { type SipMessage, SipRequest, SipResponse } from './sip-message.ts';

const CRLFCRLF = Buffer.from('\r\n\r\n');

/** Parsed start line and headers, before the body is attached. */
export interface MessageHead {
  readonly message: SipMessage;
  /** Content-Length values as written (more than one is an error, RFC 4475 "mcl01"). */
  readonly contentLengths: readonly string[];
  /** First malformed header line, reported once the head is otherwise complete. */
  readonly lineError: SipParseError | undefined;
}

export interface ParseOptions {
  /** Reject messages larger than this many bytes (MessageTooLarge). */
  maxMessageSize?: number;
}

/** SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT (case-insensitive "SIP", §25.1). */
function isVersion(s: string): boolean {
  return s === 'SIP/2.0' || /^SIP\/\d+\.\d+$/i.test(s);
}

/** The version as kept: upper-cased ("sip/2.0" → "SIP/2.0"). */
function upperVersion(s: string): string {
  return s === 'SIP/2.0' ? 'SIP/2.0' : s.toUpperCase();
}

function badStart(detail: string): never {
  throw new SipParseError(SipErrorCode.BadStartLine, detail);
}

/**
 * Request-Line = Method SP Request-URI SP SIP-Version; Status-Line = SIP-Version SP
 * Status-Code SP Reason-Phrase (§7.1, §7.2). Extra SP/HTAB between and after the parts
 * is tolerated (RFC 4475 "lwsstart", "trws"); whitespace inside the Request-URI is left
 * for the URI parser to reject (RFC 4475 "lwsruri").
 */
function parseStartLine(line: string, headers: SipHeaders): SipMessage {
  if (/^SIP\//i.test(line)) {
    const m = /^(\S+)[ \t]+(\S+)(?:[ \t](.*))?$/.exec(line);
    if (m === null || !isVersion(m[1]!)) badStart('bad Status-Line');
    const code = m[2]!;
    if (!/^[1-6]\d\d$/.test(code)) {
      throw new SipParseError(SipErrorCode.BadStatusCode, 'bad Status-Code');
    }
    return new SipResponse(Number(code), m[3] ?? '', headers, undefined, upperVersion(m[1]!));
  }
  const t = trimWsp(line);
  const first = t.search(/[ \t]/);
  const last = Math.max(t.lastIndexOf(' '), t.lastIndexOf('\t'));
  if (first < 0 || last === first) badStart('bad Request-Line');
  const method = t.slice(0, first);
  const version = t.slice(last + 1);
  const uriText = trimWsp(t.slice(first, last));
  if (!isToken(method)) badStart('bad method');
  if (!isVersion(version)) badStart('bad SIP-Version');
  if (uriText.length === 0) badStart('missing Request-URI');
  return new SipRequest(method, uriText, headers, undefined, upperVersion(version));
}

/** Split the header section (without the final empty line) into start line and fields. */
export function parseHead(text: string): MessageHead {
  let eol = text.indexOf('\r\n');
  if (eol < 0) eol = text.length;
  const startLine = text.slice(0, eol);
  if (startLine.includes('\n') || startLine.includes('\r')) badStart('bare CR or LF');
  const fields: HeaderField[] = [];
  let contentLengths: string[] | undefined;
  let lineError: SipParseError | undefined;
  // The field being read: its key and wire name, and its value (more than one line when
  // folded).
  let name: readonly [string, string] | undefined;
  let value = '';
  let lineNo = 0;
  let pos = eol + 2;
  while (pos <= text.length) {
    let end = text.indexOf('\r\n', pos);
    if (end < 0) end = text.length;
    lineNo++;
    const first = end > pos ? text.charCodeAt(pos) : -1;
    if (first === 0x20 || first === 0x09) {
      // LWS folding: a line starting with whitespace continues the previous field (§7.3.1).
      if (name === undefined) {
        lineError ??= new SipParseError(
          SipErrorCode.BadHeaderLine,
          'continuation line without header',
        );
      } else {
        value += ` ${trimWsp(text.slice(pos, end))}`;
      }
      pos = end + 2;
      continue;
    }
    if (name !== undefined) {
      const f: HeaderField = { key: name[0], name: name[1], value: trimWsp(value) };
      fields.push(f);
      if (f.key === 'content-length') contentLengths = withLength(contentLengths, f.value);
      name = undefined;
    }
    const colon = text.indexOf(':', pos);
    if (colon < 0 || colon > end) {
      lineError ??= new SipParseError(
        SipErrorCode.BadHeaderLine,
        `malformed header line ${lineNo}`,
      );
      pos = end + 2;
      continue;
    }
    // Common names (exactly as spelled, colon right after) need no slice, check or lookup.
    const common = commonSpellingAt(text, pos, colon - pos);
    const fieldName = common === undefined ? trimWsp(text.slice(pos, colon)) : '';
    // The value without its leading whitespace (one slice instead of two); trailing
    // whitespace goes when the field is complete (a folded line may follow).
    let from = colon + 1;
    while (from < end && isWsp(text.charCodeAt(from))) from++;
    value = text.slice(from, end);
    if (
      (common === undefined && !isToken(fieldName)) ||
      value.includes('\r') ||
      value.includes('\n')
    ) {
      lineError ??= new SipParseError(
        SipErrorCode.BadHeaderLine,
        `malformed header line ${lineNo}`,
      );
    } else {
      name = common ?? resolveName(fieldName);
    }
    pos = end + 2;
  }
  if (name !== undefined) {
    const f: HeaderField = { key: name[0], name: name[1], value: trimWsp(value) };
    fields.push(f);
    if (f.key === 'content-length') contentLengths = withLength(contentLengths, f.value);
  }
  const message = parseStartLine(startLine, new SipHeaders(fields));
  if (lineError) lineError.partial = message;
  return { message, contentLengths: contentLengths ?? NO_LENGTHS, lineError };
}

const NO_LENGTHS: readonly string[] = [];

function withLength(lengths: string[] | undefined, value: string): string[] {
  if (lengths === undefined) return [value];
  lengths.push(value);
  return lengths;
}

/** Index of the first byte that is not CR or LF (keep-alives before a message, §7.5). */
export function skipLeadingCrlf(buf: Buffer, from = 0): number {
  let i = from;
  while (i < buf.length && (buf[i] === 0x0d || buf[i] === 0x0a)) i++;
  return i;
}

/** The one Content-Length of a head; undefined if absent. Throws with `partial` set. */
export function declaredLength(head: MessageHead): number | undefined {
  try {
    if (head.contentLengths.length > 1) {
      throw new SipParseError(
        SipErrorCode.DuplicateHeader,
        'more than one Content-Length',
        'Content-Length',
      );
    }
    const v = head.contentLengths[0];
    return v === undefined ? undefined : parseContentLength(v);
  } catch (err) {
    if (err instanceof SipParseError) err.partial = head.message;
    throw err;
  }
}

/**
 * Parse one message from a datagram (UDP) or any complete buffer. Without Content-Length
 * the body runs to the end of the datagram; bytes beyond Content-Length are ignored
 * (RFC 3261 §18.3; RFC 4475 "dblreq"). Throws SipParseError, with `partial` set whenever
 * the start line was readable.
 */
export function parseMessage(data: Buffer | string, options: ParseOptions = {}): SipMessage {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const start = skipLeadingCrlf(buf);
  if (start >= buf.length) throw new SipParseError(SipErrorCode.EmptyMessage, 'empty message');
  const end = buf.indexOf(CRLFCRLF, start);
  if (end < 0) {
    throw new SipParseError(SipErrorCode.HeadersIncomplete, 'no empty line after headers');
  }
  const head = parseHead(buf.toString('utf8', start, end));
  const bodyStart = end + 4;
  const length = declaredLength(head);
  const msg = head.message;
  const available = buf.length - bodyStart;
  if (length !== undefined && length > available) {
    const err = new SipParseError(
      SipErrorCode.BodyTruncated,
      `Content-Length ${length} exceeds the ${available} body bytes received`,
      'Content-Length',
    );
    err.partial = msg;
    throw err;
  }
  msg.body = buf.subarray(bodyStart, bodyStart + (length ?? available));
  if (
    options.maxMessageSize !== undefined &&
    bodyStart + msg.body.length - start > options.maxMessageSize
  ) {
    const err = new SipParseError(SipErrorCode.MessageTooLarge, 'message too large');
    err.partial = msg;
    throw err;
  }
  if (head.lineError) throw head.lineError;
  return msg;
}
