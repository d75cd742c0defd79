/**
 * quoted-string = SWS DQUOTE *(qdtext / quoted-pair) DQUOTE (RFC 3261 §25.1).
 * quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F): any octet but CR and LF may be escaped.
 */
import { SipErrorCode, SipParseError } from '../errors.ts';

export interface QuotedScan {
  /** Unescaped content. */
  value: string;
  /** Index just past the closing quote. */
  end: number;
}

/** Scan a quoted string whose opening quote is at `start`. Throws on an unterminated one. */
export function scanQuoted(s: string, start: number, header?: string): QuotedScan {
  let out = '';
  let i = start + 1;
  let runStart = i;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 0x22) {
      out += s.slice(runStart, i);
      return { value: out, end: i + 1 };
    }
    if (c === 0x5c) {
      const next = s.charCodeAt(i + 1);
      if (Number.isNaN(next) || next === 0x0d || next === 0x0a) break;
      out += s.slice(runStart, i) + s[i + 1];
      i += 2;
      runStart = i;
      continue;
    }
    if (c === 0x0d || c === 0x0a) break;
    i++;
  }
  throw new SipParseError(SipErrorCode.BadHeaderValue, 'unterminated quoted string', header);
}

/** Index just past the quoted string starting at `start`, or -1 if it is not closed. */
export function skipQuoted(s: string, start: number): number {
  for (let i = start + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i + 1;
  }
  return -1;
}

/**
 * Quote `value` for the wire: escape DQUOTE, backslash and control characters as quoted
 * pairs. CR and LF cannot be quoted (§25.1) and become spaces.
 */
export function quote(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    const c = value.charCodeAt(i);
    if (c === 0x0d || c === 0x0a) out += ' ';
    else if (c === 0x22 || c === 0x5c || (c < 0x20 && c !== 0x09) || c === 0x7f) out += `\\${ch}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Remove surrounding quotes and quoted pairs if `raw` is a quoted string; else return it. */
export function unquote(raw: string): string {
  if (raw.length >= 2 && raw.charCodeAt(0) === 0x22) {
    try {
      const r = scanQuoted(raw, 0);
      if (r.end === raw.length) return r.value;
    } catch {
      // not a well-formed quoted string: hand back the raw text
    }
  }
  return raw;
}
