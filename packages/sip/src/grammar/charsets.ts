/**
 * Character classes of the RFC 3261 §25.1 grammar as 128-entry lookup tables, so the hot
 * parsing paths test a character with one array read.
 */

function table(chars: string, alnum = true): Uint8Array {
  const t = new Uint8Array(128);
  if (alnum) {
    for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
    for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
    for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  }
  for (const ch of chars) t[ch.charCodeAt(0)] = 1;
  return t;
}

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
export const TOKEN = table("-.!%*_+`'~");
/** unreserved = alphanum / mark; mark = "-" / "_" / "." / "!" / "~" / "*" / "'" / "(" / ")" */
export const UNRESERVED = table("-_.!~*'()");
/** user = 1*( unreserved / escaped / user-unreserved ); user-unreserved = & = + $ , ; ? / */
export const USER = table("-_.!~*'()&=+$,;?/");
/** password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," ) */
export const PASSWORD = table("-_.!~*'()&=+$,");
/** paramchar = param-unreserved / unreserved / escaped; param-unreserved = [ ] / : & + $ */
export const PARAM = table("-_.!~*'()[]/:&+$");
/** hname / hvalue = hnv-unreserved / unreserved / escaped; hnv-unreserved = [ ] / ? : + $ */
export const HNV = table("-_.!~*'()[]/?:+$");
/** hostname characters (alphanum, "-", "."), plus "_" which real networks emit. */
export const HOST = table('-._');
/** word = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" /
 *  "(" / ")" / "<" / ">" / ":" / "\" / DQUOTE / "/" / "[" / "]" / "?" / "{" / "}") — Call-ID */
export const WORD = table('-.!%*_+`\'~()<>:\\"/[]?{}');

export function inTable(t: Uint8Array, code: number): boolean {
  return code < 128 && t[code] === 1;
}

/** True when `s` is non-empty and every character is in `t`. */
export function allIn(t: Uint8Array, s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || t[c] !== 1) return false;
  }
  return true;
}

export function isToken(s: string): boolean {
  return allIn(TOKEN, s);
}

/** SP or HTAB (RFC 3261 §25.1 WSP). */
export function isWsp(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** Trim SP/HTAB only (String#trim would also eat CR/LF/NBSP, which the grammar does not). */
export function trimWsp(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWsp(s.charCodeAt(a))) a++;
  while (b > a && isWsp(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Skip SP/HTAB starting at `i`; returns the first index that is not whitespace. */
export function skipWsp(s: string, i: number): number {
  while (i < s.length && isWsp(s.charCodeAt(i))) i++;
  return i;
}
