/**
 * WWW-Authenticate / Proxy-Authenticate challenges and Authorization /
 * Proxy-Authorization credentials (RFC 3261 §20.7, §20.27, §25.1; RFC 7616 §3.3):
 *   scheme LWS auth-param *(COMMA auth-param),  auth-param = token EQUAL (token / quoted-string)
 * Schemes and parameter names are case-insensitive; an unknown scheme is returned as is so
 * the caller can ignore it (RFC 4475 "regaut01").
 */
import { SipErrorCode, SipParseError } from '../errors.ts';
import { isToken, skipWsp, TOKEN, trimWsp } from '../grammar/charsets.ts';
import { quote, scanQuoted } from '../grammar/quoted-string.ts';

export interface AuthHeader {
  /** Lower-cased scheme, e.g. "digest". */
  scheme: string;
  /** Lower-cased parameter name → unquoted value. */
  params: Map<string, string>;
}

function bad(detail: string, header: string): never {
  throw new SipParseError(SipErrorCode.BadHeaderValue, detail, header);
}

export function parseAuthHeader(value: string, header = 'Authorization'): AuthHeader {
  const v = trimWsp(value);
  let i = 0;
  while (i < v.length && v.charCodeAt(i) < 128 && TOKEN[v.charCodeAt(i)] === 1) i++;
  const scheme = v.slice(0, i).toLowerCase();
  if (scheme.length === 0) bad('missing auth scheme', header);
  const params = new Map<string, string>();
  i = skipWsp(v, i);
  while (i < v.length) {
    const nameStart = i;
    while (i < v.length && v.charCodeAt(i) < 128 && TOKEN[v.charCodeAt(i)] === 1) i++;
    const name = v.slice(nameStart, i).toLowerCase();
    if (name.length === 0) bad('empty auth-param name', header);
    i = skipWsp(v, i);
    if (v.charCodeAt(i) !== 0x3d) {
      // Opaque credentials of an unknown scheme (e.g. a token68): keep them whole.
      params.set('', v.slice(nameStart));
      return { scheme, params };
    }
    i = skipWsp(v, i + 1);
    let val: string;
    if (v.charCodeAt(i) === 0x22) {
      const q = scanQuoted(v, i, header);
      val = q.value;
      i = q.end;
    } else {
      const s = i;
      while (
        i < v.length &&
        v.charCodeAt(i) !== 0x2c &&
        v.charCodeAt(i) !== 0x20 &&
        v.charCodeAt(i) !== 0x09
      )
        i++;
      val = v.slice(s, i);
      if (!isToken(val) && !/^[!-~]+$/.test(val)) bad(`bad value for ${name}`, header);
    }
    params.set(name, val);
    i = skipWsp(v, i);
    if (i < v.length) {
      if (v.charCodeAt(i) !== 0x2c) bad('expected ","', header);
      i = skipWsp(v, i + 1);
    }
  }
  return { scheme, params };
}

/** Parameters written as tokens rather than quoted strings (RFC 7616 §3.3, §3.4). */
const UNQUOTED = new Set(['algorithm', 'stale', 'nc', 'qop-token']);

/** Format a Digest challenge or credentials; `qop` in a challenge is quoted, in credentials not. */
export function formatAuthHeader(h: AuthHeader, kind: 'challenge' | 'credentials'): string {
  const parts: string[] = [];
  for (const [name, value] of h.params) {
    const bare = UNQUOTED.has(name) || (name === 'qop' && kind === 'credentials');
    parts.push(`${name}=${bare ? value : quote(value)}`);
  }
  const scheme = h.scheme === 'digest' ? 'Digest' : h.scheme;
  return `${scheme} ${parts.join(', ')}`;
}
