/**
 * Via (RFC 3261 §20.42, §25.1): sent-protocol LWS sent-by *( SEMI via-params ), with
 * `received` / `rport` set by the server transport (RFC 3261 §18.2.1, RFC 3581 §4).
 */
import { isIP } from 'node:net';
import { SipErrorCode, SipParseError } from '../errors.ts';
import { HOST, isWsp, skipWsp, TOKEN, trimWsp } from '../grammar/charsets.ts';
import { formatParams, type Params, parseParams } from '../grammar/params.ts';

const HEADER = 'Via';

export interface Via {
  /** Usually "SIP". */
  protocol: string;
  /** Usually "2.0". */
  version: string;
  /** Upper-cased transport: UDP, TCP, TLS, SCTP, WS, WSS or any token. */
  transport: string;
  host: string;
  port: number | undefined;
  params: Params;
}

/** RFC 3261 §8.1.1.7: branches of RFC 3261 elements start with this magic cookie. */
export const BRANCH_MAGIC_COOKIE = 'z9hG4bK';

function bad(detail: string): never {
  throw new SipParseError(SipErrorCode.BadHeaderValue, detail, HEADER);
}

function token(s: string, i: number): number {
  while (i < s.length && s.charCodeAt(i) < 128 && TOKEN[s.charCodeAt(i)] === 1) i++;
  return i;
}

function slash(s: string, i: number): number {
  i = skipWsp(s, i);
  if (s.charCodeAt(i) !== 0x2f) bad('expected "/" in sent-protocol');
  return skipWsp(s, i + 1);
}

/** Parse one Via value (one element of a comma-separated Via list). */
export function parseVia(value: string): Via {
  const v = trimWsp(value);
  let i = token(v, 0);
  const protocol = v.slice(0, i);
  if (protocol.length === 0) bad('missing protocol name');
  let start = slash(v, i);
  i = token(v, start);
  const version = v.slice(start, i);
  if (version.length === 0) bad('missing protocol version');
  start = slash(v, i);
  i = token(v, start);
  const transport = v.slice(start, i).toUpperCase();
  if (transport.length === 0) bad('missing transport');
  if (!isWsp(v.charCodeAt(i))) bad('missing sent-by');
  i = skipWsp(v, i);
  let host: string;
  if (v.charCodeAt(i) === 0x5b) {
    const close = v.indexOf(']', i);
    if (close < 0 || isIP(v.slice(i + 1, close)) !== 6) bad('bad IPv6 sent-by');
    host = v.slice(i, close + 1);
    i = close + 1;
  } else {
    start = i;
    while (i < v.length && v.charCodeAt(i) < 128 && HOST[v.charCodeAt(i)] === 1) i++;
    host = v.slice(start, i);
    if (host.length === 0) bad('missing sent-by host');
  }
  let port: number | undefined;
  const afterHost = skipWsp(v, i);
  if (v.charCodeAt(afterHost) === 0x3a) {
    start = skipWsp(v, afterHost + 1);
    i = start;
    while (i < v.length && v.charCodeAt(i) >= 0x30 && v.charCodeAt(i) <= 0x39) i++;
    if (i === start || i - start > 5) bad('bad sent-by port');
    port = Number(v.slice(start, i));
    if (port > 65535) bad('sent-by port out of range');
  }
  const params = parseParams(v, i, HEADER);
  checkViaParams(params);
  return { protocol, version, transport, host, port, params };
}

/** via-received = IPv4address / IPv6address; rport = [ 1*DIGIT ]; ttl = 1*3DIGIT (0-255). */
function checkViaParams(params: Params): void {
  const received = params.get('received');
  if (received !== undefined && (received === null || isIP(received) === 0)) {
    bad('received must be an IP address');
  }
  const rport = params.get('rport');
  if (rport !== undefined && rport !== null && !/^\d{1,5}$/.test(rport)) bad('bad rport');
  const ttl = params.get('ttl');
  if (ttl !== undefined && (ttl === null || !/^\d{1,3}$/.test(ttl) || Number(ttl) > 255)) {
    bad('bad ttl');
  }
  const branch = params.get('branch');
  if (branch === null) bad('branch without value');
}

export function formatVia(via: Via): string {
  const port = via.port === undefined ? '' : `:${via.port}`;
  return `${via.protocol}/${via.version}/${via.transport} ${via.host}${port}${formatParams(via.params)}`;
}

export function viaBranch(via: Via): string | undefined {
  return via.params.get('branch') ?? undefined;
}

/**
 * True when the branch carries the RFC 3261 magic cookie (§8.1.1.7). A bare cookie
 * (RFC 4475 "badbranch") is readable but too weak to identify a transaction, so it counts
 * as RFC 2543 style and the caller falls back to §17.2.3 legacy matching.
 */
export function hasRfc3261Branch(via: Via): boolean {
  const b = viaBranch(via);
  return (
    b !== undefined && b.length > BRANCH_MAGIC_COOKIE.length && b.startsWith(BRANCH_MAGIC_COOKIE)
  );
}

/**
 * The RFC 3581 `rport` parameter: undefined when absent, null when present without a
 * value (the client asks for it to be filled), else the port the server saw.
 */
export function viaRport(via: Via): number | null | undefined {
  if (!via.params.has('rport')) return undefined;
  const v = via.params.get('rport');
  return v === null || v === undefined ? null : Number(v);
}
