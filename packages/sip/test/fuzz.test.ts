/**
 * Fuzz the parser, framer and validator with mutated RFC 4475 vectors and hand-written
 * messages: every input must end as a parsed message or a typed SipParseError / Verdict,
 * never an unexpected exception.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  parseAuthHeader,
  parseMessage,
  SipErrorCode,
  type SipMessage,
  SipParseError,
  SipStreamFramer,
  serializeMessage,
  validateDatagram,
} from '../src/index.ts';
import { VALID_MESSAGES } from './support/messages.ts';
import { mutate } from './support/mutator.ts';
import { Prng } from './support/prng.ts';
import { RFC4475_SKIP, readVector, rfc4475Files } from './support/rfc4475-dir.ts';
import { UAS_PROFILE } from './support/validation-profile.ts';

const ITERATIONS = Number(process.env.UKETSUKE_FUZZ_ITERATIONS ?? 120_000);
const SEED = Number(process.env.UKETSUKE_FUZZ_SEED ?? 4475);
const CODES = new Set<string>(Object.values(SipErrorCode));

function corpus(): string[] {
  const out = [...VALID_MESSAGES];
  if (RFC4475_SKIP === undefined) {
    for (const f of rfc4475Files())
      out.push(readVector(f.replace(/\.dat$/, '')).toString('latin1'));
  }
  return out;
}

/** Touch every lazily parsed part; only typed errors may escape. */
function exercise(m: SipMessage): void {
  for (const get of [
    () => m.vias,
    () => m.from,
    () => m.to,
    () => m.callId,
    () => m.cseq,
    () => m.maxForwards,
    () => m.contentLength,
    () => m.contentType,
    () => m.contacts,
    () => m.routes,
    () => m.recordRoutes,
    () => (m.kind === 'request' ? m.uri : undefined),
    () => m.headers.getAll('authorization').map((v) => parseAuthHeader(v)),
  ]) {
    try {
      get();
    } catch (err) {
      if (!(err instanceof SipParseError) || !CODES.has(err.code)) throw err;
    }
  }
}

test(`fuzz: ${ITERATIONS} mutated messages end as a message or a typed error`, () => {
  const seeds = corpus();
  const r = new Prng(SEED);
  const started = performance.now();
  const tally = { accept: 0, reject: 0, drop: 0, parsed: 0, parseErrors: 0, framed: 0 };
  for (let i = 0; i < ITERATIONS; i++) {
    const input = mutate(r.pick(seeds), r, seeds);
    // latin1 keeps arbitrary byte values; utf8 exercises multi-byte sequences.
    const data = Buffer.from(input, i % 2 === 0 ? 'latin1' : 'utf8');
    try {
      const verdict = validateDatagram(data, UAS_PROFILE);
      tally[verdict.kind]++;
      try {
        const m = parseMessage(data);
        tally.parsed++;
        exercise(m);
        if (verdict.kind === 'accept') {
          // What we accept we can also write out and read back.
          const again = parseMessage(serializeMessage(m));
          assert.equal(again.kind, m.kind);
        }
      } catch (err) {
        if (!(err instanceof SipParseError) || !CODES.has(err.code)) throw err;
        tally.parseErrors++;
      }
      if (i % 10 === 0) {
        const framer = new SipStreamFramer();
        const step = 1 + r.int(data.length + 1);
        for (let k = 0; k < data.length; k += step) {
          for (const o of framer.push(data.subarray(k, k + step))) {
            if (o.kind === 'message') exercise(o.message);
            else assert.ok(CODES.has(o.error.code));
          }
        }
        tally.framed++;
      }
    } catch (err) {
      assert.fail(
        `seed ${SEED} iteration ${i}: ${String((err as Error)?.stack ?? err)}\ninput: ${JSON.stringify(input)}`,
      );
    }
  }
  const ms = performance.now() - started;
  assert.equal(tally.accept + tally.reject + tally.drop, ITERATIONS);
  console.log(
    `# fuzz: ${ITERATIONS} messages in ${(ms / 1000).toFixed(1)} s ${JSON.stringify(tally)}`,
  );
});
