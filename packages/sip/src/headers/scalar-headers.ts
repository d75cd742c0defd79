/**
 * Small single-valued headers: CSeq (§20.16), Max-Forwards (§20.22), Content-Length
 * (§20.14), Call-ID (§20.8).
 */
import { SipErrorCode, SipParseError } from '../errors.ts';
import { isToken, isWsp, trimWsp, WORD } from '../grammar/charsets.ts';

export interface CSeq {
  seq: number;
  method: string;
}

function bad(detail: string, header: string): never {
  throw new SipParseError(SipErrorCode.BadHeaderValue, detail, header);
}

/** 1*DIGIT, bounded by `max`; rejects signs, huge values and anything but digits. */
function digits(s: string, max: number, header: string): number {
  if (s.length === 0 || s.length > 12 || !/^\d+$/.test(s)) bad('not a number', header);
  const n = Number(s);
  if (n > max) bad('number out of range', header);
  return n;
}

/** CSeq = 1*DIGIT LWS Method; the number must be below 2**31 (RFC 3261 §8.1.1.5). */
export function parseCSeq(value: string): CSeq {
  const v = trimWsp(value);
  // 1*DIGIT 1*(SP / HTAB) Method, scanned by hand (the hot path reads one per message).
  let i = 0;
  while (i < v.length && v.charCodeAt(i) >= 0x30 && v.charCodeAt(i) <= 0x39) i++;
  let j = i;
  while (j < v.length && isWsp(v.charCodeAt(j))) j++;
  if (i === 0 || j === i || j === v.length) bad('expected "<number> <method>"', 'CSeq');
  const method = v.slice(j);
  if (!isToken(method)) {
    bad(/\s/.test(method) ? 'expected "<number> <method>"' : 'bad method', 'CSeq');
  }
  if (i > 12) bad('not a number', 'CSeq');
  const seq = Number(v.slice(0, i));
  if (seq > 2 ** 31 - 1) bad('number out of range', 'CSeq');
  return { seq, method };
}

export function formatCSeq(cseq: CSeq): string {
  return `${cseq.seq} ${cseq.method}`;
}

/** Max-Forwards = 1*DIGIT; values above 255 are invalid (RFC 4475 §3.1.2.4 "scalar02"). */
export function parseMaxForwards(value: string): number {
  return digits(trimWsp(value), 255, 'Max-Forwards');
}

/** Content-Length = 1*DIGIT (RFC 3261 §20.14); negative or non-numeric is an error. */
export function parseContentLength(value: string): number {
  const v = trimWsp(value);
  if (v.length === 0 || v.length > 12 || !/^\d+$/.test(v)) {
    throw new SipParseError(SipErrorCode.BadContentLength, 'bad Content-Length', 'Content-Length');
  }
  return Number(v);
}

/** callid = word [ "@" word ] (RFC 3261 §25.1). */
export function parseCallId(value: string): string {
  const v = trimWsp(value);
  const at = v.indexOf('@');
  if (at === 0 || at === v.length - 1 || (at > 0 && v.indexOf('@', at + 1) >= 0)) {
    bad('bad Call-ID', 'Call-ID');
  }
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c !== 0x40 && (c >= 128 || WORD[c] !== 1)) bad('bad character in Call-ID', 'Call-ID');
  }
  if (v.length === 0) bad('empty Call-ID', 'Call-ID');
  return v;
}
