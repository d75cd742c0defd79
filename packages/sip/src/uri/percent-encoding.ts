/**
 * "escaped" = "%" HEXDIG HEXDIG (RFC 3261 §25.1). URI components are stored decoded and
 * re-escaped canonically on output: characters outside the component's unreserved set are
 * percent-encoded as UTF-8 octets (RFC 3261 §19.1.2).
 */
import { SipErrorCode, SipParseError } from '../errors.ts';

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Decode `s`, checking that every unescaped character belongs to `allowed`. Escaped
 * octets are interpreted as UTF-8; `%00` yields U+0000 (RFC 4475 §3.1.1.3 "escnull").
 */
export function percentDecode(s: string, allowed: Uint8Array, what: string): string {
  let hasEscape = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      hasEscape = true;
      if (hexValue(s.charCodeAt(i + 1)) < 0 || hexValue(s.charCodeAt(i + 2)) < 0) {
        throw new SipParseError(SipErrorCode.BadUri, `bad escape in ${what}`);
      }
      i += 2;
    } else if (c >= 128 || allowed[c] !== 1) {
      throw new SipParseError(SipErrorCode.BadUri, `character not allowed in ${what}`);
    }
  }
  if (!hasEscape) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      bytes.push(hexValue(s.charCodeAt(i + 1)) * 16 + hexValue(s.charCodeAt(i + 2)));
      i += 2;
    } else {
      bytes.push(c);
    }
  }
  return decoder.decode(new Uint8Array(bytes));
}

const HEX = '0123456789ABCDEF';
const encoder = new TextEncoder();

/** Escape every character of `s` that is not in `allowed`. */
export function percentEncode(s: string, allowed: Uint8Array): string {
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || allowed[c] !== 1) {
      plain = false;
      break;
    }
  }
  if (plain) return s;
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch.length === 1 && c < 128 && allowed[c] === 1) {
      out += ch;
      continue;
    }
    for (const b of encoder.encode(ch)) out += `%${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
}
