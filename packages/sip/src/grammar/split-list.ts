/**
 * Split a header value into its comma-separated elements (RFC 3261 §7.3.1: a header with
 * a comma-separated list is equivalent to several header lines). Commas inside quoted
 * strings and inside <...> do not split.
 */
import { SipErrorCode, SipParseError } from '../errors.ts';
import { trimWsp } from './charsets.ts';
import { skipQuoted } from './quoted-string.ts';

export function splitList(value: string, header?: string): string[] {
  const out: string[] = [];
  let start = 0;
  let angle = false;
  let i = 0;
  while (i < value.length) {
    const c = value.charCodeAt(i);
    if (c === 0x22) {
      const end = skipQuoted(value, i);
      if (end < 0) {
        throw new SipParseError(SipErrorCode.BadHeaderValue, 'unbalanced quote', header);
      }
      i = end;
      continue;
    }
    if (c === 0x3c) angle = true;
    else if (c === 0x3e) angle = false;
    else if (c === 0x2c && !angle) {
      out.push(trimWsp(value.slice(start, i)));
      start = i + 1;
    }
    i++;
  }
  out.push(trimWsp(value.slice(start)));
  return out;
}
