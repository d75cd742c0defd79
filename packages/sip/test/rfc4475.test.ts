/**
 * RFC 4475 torture tests: every vector with the outcome the RFC (and our README) expects,
 * run in-process. No packet is ever sent anywhere: addresses in the vectors are data.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createResponse,
  parseMessage,
  type SipMessage,
  SipParseError,
  SipStackError,
  serializeMessage,
  validateDatagram,
  validateMessage,
} from '../src/index.ts';
import { RFC4475_SKIP, readVector, rfc4475Files } from './support/rfc4475-dir.ts';
import { CASES } from './support/rfc4475-expectations.ts';
import { UAS_PROFILE } from './support/validation-profile.ts';

test('RFC 4475: the table covers all 50 vectors', { skip: RFC4475_SKIP }, () => {
  const files = rfc4475Files().map((f) => f.replace(/\.dat$/, ''));
  assert.equal(files.length, 50);
  assert.deepEqual(files, Object.keys(CASES).sort());
});

for (const [name, c] of Object.entries(CASES)) {
  test(`RFC 4475 §${c.section} ${name}`, { skip: RFC4475_SKIP }, () => {
    const data = readVector(name);
    let parsed: SipMessage | undefined;
    try {
      parsed = parseMessage(data);
      assert.equal(c.parse, 'ok', `expected ${c.parse}, parsed fine`);
    } catch (err) {
      assert.ok(err instanceof SipParseError, `untyped error ${String(err)}`);
      assert.equal(err.code, c.parse, err.message);
    }
    if (parsed !== undefined && c.check) c.check(parsed);
    const verdict = validateDatagram(data, UAS_PROFILE);
    if (c.outcome.verdict === 'reject') {
      assert.equal(verdict.kind, 'reject', `verdict ${verdict.kind}`);
      if (verdict.kind !== 'reject') return;
      assert.equal(verdict.status, c.outcome.status, verdict.reason);
      if (c.outcome.reasonIncludes)
        assert.match(verdict.reason, new RegExp(c.outcome.reasonIncludes));
      // The answer can always be built and serialized from what was readable.
      const response = createResponse(verdict.request, verdict.status, {
        reason: verdict.reason,
        toTag: 'x1',
        headers: verdict.headers,
      });
      const wire = serializeMessage(response).toString();
      assert.match(wire, new RegExp(`^SIP/2.0 ${c.outcome.status} `));
    } else {
      assert.equal(
        verdict.kind,
        c.outcome.verdict,
        verdict.kind === 'accept' ? '' : verdict.reason,
      );
    }
  });
}

test('RFC 4475: the unsupported extensions are listed in Unsupported (bext01)', {
  skip: RFC4475_SKIP,
}, () => {
  const v = validateDatagram(readVector('bext01'), UAS_PROFILE);
  assert.ok(v.kind === 'reject');
  assert.deepEqual(v.headers, [['Unsupported', 'nothingSupportsThis, nothingSupportsThisEither']]);
});

test('RFC 4475: 415 carries Accept (invut)', { skip: RFC4475_SKIP }, () => {
  const v = validateDatagram(readVector('invut'), UAS_PROFILE);
  assert.ok(v.kind === 'reject');
  assert.equal(v.headers[0]?.[0], 'Accept');
});

test('RFC 4475: a proxy answers zeromf with 483', { skip: RFC4475_SKIP }, () => {
  const v = validateDatagram(readVector('zeromf'), { ...UAS_PROFILE, role: 'proxy' });
  assert.ok(v.kind === 'reject' && v.status === 483);
});

test('RFC 4475: unusual methods parse and validate when every method is allowed', {
  skip: RFC4475_SKIP,
}, () => {
  for (const name of ['intmeth', 'esc02']) {
    assert.equal(validateDatagram(readVector(name)).kind, 'accept', name);
  }
});

test('RFC 4475: every parseable vector survives a serialize/parse round trip', {
  skip: RFC4475_SKIP,
}, () => {
  for (const name of Object.keys(CASES)) {
    let m: SipMessage;
    try {
      m = parseMessage(readVector(name));
    } catch {
      continue;
    }
    if (name === 'lwsruri') {
      // Whitespace inside the Request-URI: we refuse to write such a start line.
      assert.throws(() => serializeMessage(m), SipStackError);
      continue;
    }
    const wire = serializeMessage(m);
    const again = parseMessage(wire);
    assert.deepEqual(
      [...again.headers].filter((f) => f.key !== 'content-length'),
      [...m.headers].filter((f) => f.key !== 'content-length'),
      name,
    );
    assert.deepEqual(again.body, m.body, name);
    assert.deepEqual(serializeMessage(again), wire, name);
    if (validateMessage(m).kind === 'accept') {
      // Normalized output parses to the same hot headers.
      const norm = parseMessage(serializeMessage(m, { normalize: true }));
      assert.deepEqual(norm.vias, m.vias, name);
      assert.deepEqual(norm.from, m.from, name);
      assert.deepEqual(norm.to, m.to, name);
      assert.deepEqual(norm.contacts, m.contacts, name);
      assert.deepEqual(norm.cseq, m.cseq, name);
    }
  }
});
