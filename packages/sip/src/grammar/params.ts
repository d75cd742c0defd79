/**
 * Header parameters: *( SEMI generic-param ), generic-param = token [ EQUAL gen-value ],
 * gen-value = token / host / quoted-string (RFC 3261 §25.1). SEMI and EQUAL allow
 * whitespace on both sides. Names are case-insensitive and stored lower-cased; values are
 * kept raw (quoted strings keep their quotes) so they serialize exactly as received.
 */
import { SipErrorCode, SipParseError } from '../errors.ts';
import { isWsp, skipWsp, TOKEN } from './charsets.ts';
import { skipQuoted } from './quoted-string.ts';

/** Parameter name (lower case) → raw value, or null for a parameter without "=". */
export type Params = Map<string, string | null>;

/** gen-value characters: token plus the ":" "[" "]" of IPv6 host values. */
function isValueChar(c: number): boolean {
  return (c < 128 && TOKEN[c] === 1) || c === 0x3a || c === 0x5b || c === 0x5d;
}

function isTokenChar(c: number): boolean {
  return c < 128 && TOKEN[c] === 1;
}

/**
 * Parse parameters from `s` starting at `start` (which must be at whitespace, ";" or the
 * end). Everything up to the end of `s` must be parameters.
 */
export function parseParams(s: string, start: number, header?: string): Params {
  const params: Params = new Map();
  let i = skipWsp(s, start);
  while (i < s.length) {
    if (s.charCodeAt(i) !== 0x3b) {
      throw new SipParseError(
        SipErrorCode.BadHeaderValue,
        `unexpected "${s[i]}" where ";" was expected`,
        header,
      );
    }
    i = skipWsp(s, i + 1);
    const nameStart = i;
    while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
    if (i === nameStart) {
      throw new SipParseError(SipErrorCode.BadHeaderValue, 'empty parameter name', header);
    }
    const name = s.slice(nameStart, i).toLowerCase();
    i = skipWsp(s, i);
    let value: string | null = null;
    if (i < s.length && s.charCodeAt(i) === 0x3d) {
      i = skipWsp(s, i + 1);
      const valueStart = i;
      if (s.charCodeAt(i) === 0x22) {
        const end = skipQuoted(s, i);
        if (end < 0) {
          throw new SipParseError(SipErrorCode.BadHeaderValue, 'unbalanced quote', header);
        }
        i = end;
      } else {
        while (i < s.length && isValueChar(s.charCodeAt(i))) i++;
      }
      if (i === valueStart) {
        throw new SipParseError(SipErrorCode.BadHeaderValue, `empty value for ${name}`, header);
      }
      value = s.slice(valueStart, i);
      i = skipWsp(s, i);
    }
    params.set(name, value);
    if (i < s.length && !isWsp(s.charCodeAt(i)) && s.charCodeAt(i) !== 0x3b) {
      throw new SipParseError(SipErrorCode.BadHeaderValue, `bad parameter ${name}`, header);
    }
  }
  return params;
}

export function formatParams(params: Params): string {
  let out = '';
  for (const [name, value] of params) out += value === null ? `;${name}` : `;${name}=${value}`;
  return out;
}
