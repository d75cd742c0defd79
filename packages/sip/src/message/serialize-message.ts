/**
 * Canonical wire text (RFC 3261 §7): one field per line, canonical names (compact forms
 * expanded), folded lines joined, Content-Length computed from the body and written last.
 * With `normalize`, the hot headers are re-formatted from their parsed form as well.
 */
import { SipErrorCode, SipStackError } from '../errors.ts';
import { isToken } from '../grammar/charsets.ts';
import { splitList } from '../grammar/split-list.ts';
import { formatNameAddr, parseNameAddr } from '../headers/name-addr.ts';
import { formatCSeq, parseCSeq } from '../headers/scalar-headers.ts';
import { formatVia, parseVia } from '../headers/via.ts';
import type { HeaderField } from './sip-headers.ts';
import type { SipMessage } from './sip-message.ts';

export interface SerializeOptions {
  /** Re-format Via, From, To, Contact, Route, Record-Route and CSeq canonically. */
  normalize?: boolean;
}

function normalizeField(f: HeaderField): string {
  switch (f.key) {
    case 'via':
      return splitList(f.value, f.name)
        .map((v) => formatVia(parseVia(v)))
        .join(', ');
    case 'from':
    case 'to':
      return formatNameAddr(parseNameAddr(f.value, f.name));
    case 'contact':
      if (f.value === '*') return '*';
      return splitList(f.value, f.name)
        .map((v) => formatNameAddr(parseNameAddr(v, f.name)))
        .join(', ');
    case 'route':
    case 'record-route':
      return splitList(f.value, f.name)
        .map((v) => formatNameAddr(parseNameAddr(v, f.name)))
        .join(', ');
    case 'cseq':
      return formatCSeq(parseCSeq(f.value));
    default:
      return f.value;
  }
}

/** The start line; refuses values that would break framing (header injection). */
export function startLine(msg: SipMessage): string {
  if (msg.kind === 'request') {
    if (!isToken(msg.method) || msg.uriText === '' || /[\s]/.test(msg.uriText)) {
      throw new SipStackError(SipErrorCode.InvalidArgument, 'invalid Request-Line');
    }
    return `${msg.method} ${msg.uriText} ${msg.version}`;
  }
  if (
    !Number.isInteger(msg.status) ||
    msg.status < 100 ||
    msg.status > 699 ||
    /[\r\n]/.test(msg.reason)
  ) {
    throw new SipStackError(SipErrorCode.InvalidArgument, 'invalid Status-Line');
  }
  return `${msg.version} ${msg.status} ${msg.reason}`;
}

/**
 * The last head serialized without `normalize`, and what it was made from: a server
 * transaction keeps the text of the final response the transport has just serialized.
 */
let lastMessage: SipMessage | undefined;
let lastRevision = -1;
let lastStart = '';
let lastBodyLength = -1;
let lastHead = '';

/** Header section text including the final empty line. */
export function serializeHead(msg: SipMessage, options: SerializeOptions = {}): string {
  const start = startLine(msg);
  const normalize = options.normalize === true;
  if (
    !normalize &&
    msg === lastMessage &&
    msg.headers.revision === lastRevision &&
    start === lastStart &&
    msg.body.length === lastBodyLength
  ) {
    return lastHead;
  }
  let out = `${start}\r\n`;
  for (const f of msg.headers) {
    if (f.key === 'content-length') continue;
    out += `${f.name}: ${normalize ? normalizeField(f) : f.value}\r\n`;
  }
  const head = `${out}Content-Length: ${msg.body.length}\r\n\r\n`;
  if (!normalize) {
    lastMessage = msg;
    lastRevision = msg.headers.revision;
    lastStart = start;
    lastBodyLength = msg.body.length;
    lastHead = head;
  }
  return head;
}

export function serializeMessage(msg: SipMessage, options: SerializeOptions = {}): Buffer {
  const head = serializeHead(msg, options);
  if (msg.body.length === 0) return Buffer.from(head, 'utf8');
  // One buffer for head and body (no intermediate head buffer to concatenate).
  const headLength = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headLength + msg.body.length);
  out.write(head, 0, 'utf8');
  msg.body.copy(out, headLength);
  return out;
}
