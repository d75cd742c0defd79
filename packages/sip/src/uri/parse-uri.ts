/**
 * Parse a URI (RFC 3261 §19.1.1, §25.1 SIP-URI / SIPS-URI / absoluteURI; RFC 3966 tel).
 */
import { isIPv6 } from 'node:net';
import { SipErrorCode, SipParseError } from '../errors.ts';
import { HNV, HOST, PARAM, PASSWORD, USER } from '../grammar/charsets.ts';
import { percentDecode } from './percent-encoding.ts';
import type { AbsoluteUri, SipUri, TelUri, Uri, UriParams } from './uri-types.ts';

function fail(detail: string): never {
  throw new SipParseError(SipErrorCode.BadUri, detail);
}

/** scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
function isScheme(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) | 0x20;
    const alpha = c >= 0x61 && c <= 0x7a;
    const other = s.charCodeAt(i);
    if (
      !alpha &&
      (i === 0 ||
        !((other >= 0x30 && other <= 0x39) || other === 0x2b || other === 0x2d || other === 0x2e))
    ) {
      return false;
    }
  }
  return true;
}

/** "sip" or "sips" when `text` starts with that scheme and ":" (any case), else undefined. */
function sipScheme(text: string): 'sip' | 'sips' | undefined {
  if (
    (text.charCodeAt(0) | 0x20) !== 0x73 ||
    (text.charCodeAt(1) | 0x20) !== 0x69 ||
    (text.charCodeAt(2) | 0x20) !== 0x70
  ) {
    return undefined;
  }
  const c = text.charCodeAt(3);
  if (c === 0x3a) return 'sip';
  return (c | 0x20) === 0x73 && text.charCodeAt(4) === 0x3a ? 'sips' : undefined;
}

export function parseUri(text: string): Uri {
  // Nearly every URI is sip/sips: no scheme slice, no lower-casing, no copy of the rest.
  const sip = sipScheme(text);
  if (sip !== undefined) return parseSipUri(sip, text, sip.length + 1);
  const colon = text.indexOf(':');
  if (colon <= 0) fail('URI has no scheme');
  const scheme = text.slice(0, colon).toLowerCase();
  if (!isScheme(scheme)) fail('bad URI scheme');
  const rest = text.slice(colon + 1);
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(scheme, rest, 0);
  if (scheme === 'tel') return parseTelUri(rest);
  return parseAbsoluteUri(scheme, rest);
}

/** Parse only a SIP/SIPS URI; anything else is an error. */
export function parseSipUriText(text: string): SipUri {
  const uri = parseUri(text);
  if (uri.kind !== 'sip') fail('not a sip/sips URI');
  return uri;
}

function parseAbsoluteUri(scheme: string, opaque: string): AbsoluteUri {
  if (opaque.length === 0) fail('empty URI');
  for (let i = 0; i < opaque.length; i++) {
    const c = opaque.charCodeAt(i);
    // No whitespace, controls, or the delimiters that end a URI in a header (§25.1).
    if (c <= 0x20 || c === 0x7f || c === 0x22 || c === 0x3c || c === 0x3e) {
      fail('character not allowed in URI');
    }
  }
  return { kind: 'absolute', scheme, opaque };
}

function parseTelUri(rest: string): TelUri {
  const semi = rest.indexOf(';');
  const number = semi < 0 ? rest : rest.slice(0, semi);
  if (!/^[0-9A-Fa-f*#+\-.()pPwW]+$/.test(number)) fail('bad telephone number');
  const params = semi < 0 ? new Map() : parseUriParams(rest.slice(semi));
  return { kind: 'tel', number, params };
}

/** The SIP/SIPS URI in `rest` after the scheme's ":", which is at `start - 1`. */
function parseSipUri(scheme: 'sip' | 'sips', rest: string, start: number): SipUri {
  let user: string | undefined;
  let password: string | undefined;
  // "@" cannot appear unescaped after the userinfo (host, params and headers exclude it),
  // so the first "@" ends the userinfo even when the user part holds ";" or "?" (§19.1.1).
  const at = rest.indexOf('@', start);
  let i = start;
  if (at >= 0) {
    const userinfo = rest.slice(start, at);
    const pc = userinfo.indexOf(':');
    const rawUser = pc < 0 ? userinfo : userinfo.slice(0, pc);
    if (rawUser.length === 0) fail('empty user part');
    user = percentDecode(rawUser, USER, 'user part');
    if (pc >= 0) password = percentDecode(userinfo.slice(pc + 1), PASSWORD, 'password');
    i = at + 1;
  }
  let host: string;
  if (rest.charCodeAt(i) === 0x5b) {
    const close = rest.indexOf(']', i);
    if (close < 0) fail('unterminated IPv6 reference');
    host = rest.slice(i, close + 1);
    if (!isIPv6(host.slice(1, -1))) fail('bad IPv6 reference');
    i = close + 1;
  } else {
    const hostStart = i;
    while (i < rest.length && rest.charCodeAt(i) < 128 && HOST[rest.charCodeAt(i)] === 1) i++;
    host = rest.slice(hostStart, i);
    if (host.length === 0) fail('empty host');
  }
  let port: number | undefined;
  if (rest.charCodeAt(i) === 0x3a) {
    const portStart = ++i;
    while (i < rest.length && rest.charCodeAt(i) >= 0x30 && rest.charCodeAt(i) <= 0x39) i++;
    if (i === portStart || i - portStart > 5) fail('bad port');
    port = Number(rest.slice(portStart, i));
    if (port > 65535) fail('port out of range');
  }
  let params: UriParams = new Map();
  const q = rest.indexOf('?', i);
  const paramsEnd = q < 0 ? rest.length : q;
  if (i < paramsEnd) {
    if (rest.charCodeAt(i) !== 0x3b) fail('unexpected character after host');
    params = parseUriParams(rest.slice(i, paramsEnd));
  }
  const headers: Array<[string, string]> = [];
  if (q >= 0) {
    for (const pair of rest.slice(q + 1).split('&')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) fail('bad URI header');
      headers.push([
        percentDecode(pair.slice(0, eq), HNV, 'URI header name'),
        eq + 1 === pair.length ? '' : percentDecode(pair.slice(eq + 1), HNV, 'URI header value'),
      ]);
    }
  }
  return { kind: 'sip', scheme, user, password, host, port, params, headers };
}

/** uri-parameters = *( ";" uri-parameter ); `s` starts with ";". */
function parseUriParams(s: string): UriParams {
  const params: UriParams = new Map();
  for (const part of s.slice(1).split(';')) {
    const eq = part.indexOf('=');
    const name = percentDecode(eq < 0 ? part : part.slice(0, eq), PARAM, 'URI parameter');
    if (name === '') fail('empty URI parameter name');
    const value = eq < 0 ? null : percentDecode(part.slice(eq + 1), PARAM, 'URI parameter');
    if (value === '') fail('empty URI parameter value');
    params.set(name.toLowerCase(), value);
  }
  return params;
}
