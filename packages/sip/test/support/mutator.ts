/**
 * Message mutator for the fuzz suite: byte-level and line-level damage that real
 * networks and hostile peers produce.
 */
import type { Prng } from './prng.ts';

const SPECIALS = [
  '"',
  '<',
  '>',
  ';',
  ',',
  ':',
  '@',
  '%',
  '\\',
  '=',
  '/',
  '[',
  ']',
  '?',
  '\t',
  ' ',
  '\0',
  '*',
];
const HUGE = [
  '99999999999999999999999',
  '-1',
  '4294967296',
  '2147483648',
  '0000000000000070',
  '1e9',
  '0x10',
  '',
];
const UNICODE = [
  '\u00e9',
  '\u5927',
  '\u{1F4DE}',
  '\ufeff',
  '\ud800',
  '\u202e',
  '\u0000',
  '\u00a0',
  '\u2028',
];

type Mutation = (s: string, r: Prng, corpus: readonly string[]) => string;

function lines(s: string): string[] {
  return s.split('\r\n');
}

const at = (s: string, r: Prng) => r.int(s.length + 1);

const MUTATIONS: readonly Mutation[] = [
  // flip a character to a random byte value
  (s, r) => {
    const i = r.int(s.length);
    return s.slice(0, i) + String.fromCharCode(r.int(256)) + s.slice(i + 1);
  },
  // truncate
  (s, r) => s.slice(0, at(s, r)),
  // duplicate a line
  (s, r) => {
    const l = lines(s);
    const i = r.int(l.length);
    l.splice(i, 0, l[i]!);
    return l.join('\r\n');
  },
  // delete a line
  (s, r) => {
    const l = lines(s);
    l.splice(r.int(l.length), 1);
    return l.join('\r\n');
  },
  // swap two lines
  (s, r) => {
    const l = lines(s);
    const i = r.int(l.length);
    const j = r.int(l.length);
    [l[i], l[j]] = [l[j]!, l[i]!];
    return l.join('\r\n');
  },
  // splice a header value from another message into this one
  (s, r, corpus) => {
    const l = lines(s);
    const donor = lines(r.pick(corpus)).filter((x) => x.includes(':'));
    const i = r.int(l.length);
    const target = l[i]!;
    const colon = target.indexOf(':');
    if (colon < 0 || donor.length === 0) return s;
    const d = r.pick(donor);
    l[i] = target.slice(0, colon + 1) + d.slice(d.indexOf(':') + 1);
    return l.join('\r\n');
  },
  // remove a CRLF
  (s, r) => {
    const idx: number[] = [];
    for (let i = s.indexOf('\r\n'); i >= 0 && idx.length < 64; i = s.indexOf('\r\n', i + 2))
      idx.push(i);
    if (idx.length === 0) return s;
    const i = r.pick(idx);
    return s.slice(0, i) + s.slice(i + 2);
  },
  // insert CRLF, bare LF or bare CR
  (s, r) => {
    const i = at(s, r);
    return s.slice(0, i) + r.pick(['\r\n', '\n', '\r', '\r\n ', '\r\n\r\n']) + s.slice(i);
  },
  // replace a number with a huge / negative / odd one
  (s, r) => {
    const nums = [...s.matchAll(/\d+/g)];
    if (nums.length === 0) return s;
    const m = r.pick(nums);
    return s.slice(0, m.index) + r.pick(HUGE) + s.slice(m.index + m[0].length);
  },
  // insert random unicode
  (s, r) => {
    const i = at(s, r);
    return s.slice(0, i) + r.pick(UNICODE) + s.slice(i);
  },
  // insert grammar-significant characters
  (s, r) => {
    const i = at(s, r);
    return s.slice(0, i) + r.pick(SPECIALS) + s.slice(i);
  },
  // delete a range
  (s, r) => {
    const i = at(s, r);
    return s.slice(0, i) + s.slice(i + 1 + r.int(16));
  },
  // repeat a range many times
  (s, r) => {
    const i = at(s, r);
    const chunk = s.slice(i, i + 1 + r.int(8));
    return s.slice(0, i) + chunk.repeat(1 + r.int(200)) + s.slice(i);
  },
];

/** Apply one to four random mutations. */
export function mutate(s: string, r: Prng, corpus: readonly string[]): string {
  let out = s;
  const n = 1 + r.int(4);
  for (let k = 0; k < n; k++) out = r.pick(MUTATIONS)(out, r, corpus);
  return out;
}
