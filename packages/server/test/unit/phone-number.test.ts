import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  deriveKind,
  formatNational,
  normaliseDestination,
  normaliseJapanesePhone,
  resolveKind,
} from '../../src/domain/phone-number.ts';
import { AppError } from '../../src/errors.ts';

test('numbers are stored in E.164 and shown in Japanese format', () => {
  const cases: [string, string, string, string][] = [
    ['0120-959-002', '+81120959002', '0120-959-002', '0120'],
    ['0120000001', '+81120000001', '0120-000-001', '0120'],
    ['+81120000001', '+81120000001', '0120-000-001', '0120'],
    ['0800-000-0001', '+818000000001', '0800-000-0001', '0800'],
    ['03-1234-5678', '+81312345678', '03-1234-5678', '03'],
    ['(03) 1234 5678', '+81312345678', '03-1234-5678', '03'],
    ['050-1234-5678', '+815012345678', '050-1234-5678', '050'],
    ['06-6123-4567', '+81661234567', '06-6123-4567', 'other'],
    ['０３－１２３４－５６７８', '+81312345678', '03-1234-5678', '03'],
  ];
  for (const [input, e164, shown, kind] of cases) {
    const n = normaliseJapanesePhone(input);
    assert.equal(n, e164, input);
    assert.equal(formatNational(n), shown, input);
    assert.equal(deriveKind(n), kind, input);
  }
});

test('malformed and foreign numbers are refused with a stable code', () => {
  for (const bad of [
    '0120-12',
    '12345',
    'abc',
    '03-1234-567x',
    '+1 202 555 0100',
    '0120-000-0000000',
  ]) {
    assert.throws(
      () => normaliseJapanesePhone(bad),
      (e: unknown) => e instanceof AppError && e.code === 'validation.phone_invalid',
      bad,
    );
  }
});

test('fax is declared, other kinds are derived', () => {
  assert.equal(resolveKind('+81312345678', 'fax'), 'fax');
  assert.equal(resolveKind('+815012345678', undefined), '050');
  assert.throws(() => resolveKind('+81120959002', 'fax'), /kind_mismatch/);
  assert.throws(() => resolveKind('+81312345678', '050'), /kind_mismatch/);
});

test('destinations are phone numbers or SIP URIs', () => {
  assert.equal(normaliseDestination('090-1234-5678'), '+819012345678');
  assert.equal(normaliseDestination('sip:client@127.0.0.1:5090'), 'sip:client@127.0.0.1:5090');
  assert.equal(
    normaliseDestination('sips:desk@[2001:db8::1]:5061;transport=tls'),
    'sips:desk@[2001:db8::1]:5061;transport=tls',
  );
  assert.throws(() => normaliseDestination('sip:'), /sip_uri_invalid/);
  assert.throws(() => normaliseDestination('sip:a b@host'), /sip_uri_invalid/);
});
