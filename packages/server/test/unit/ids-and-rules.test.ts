import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normaliseReportChannel } from '../../src/domain/report-channel.ts';
import {
  allowedTransitions,
  tenantStates,
  transitionTenant,
} from '../../src/domain/tenant-lifecycle.ts';
import { normaliseEmail } from '../../src/domain/validation.ts';
import { uuidv7 } from '../../src/ids.ts';
import { LoginThrottle } from '../../src/services/login-throttle.ts';
import { ManualClock } from '../../src/clock.ts';

test('UUIDv7: version 7, variant 10, time-ordered and monotonic within one millisecond', () => {
  const ids = Array.from({ length: 5000 }, () => uuidv7(1_795_000_000_000));
  for (const id of ids)
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(uuidv7(1_795_000_000_001) > ids.at(-1)!);
  // A clock that steps back still yields increasing ids.
  const later = uuidv7(1_000);
  assert.ok(later > ids.at(-1)!);
});

test('tenant lifecycle: every state has its arrows, cancelled is final, illegal moves throw', () => {
  for (const s of tenantStates)
    for (const to of allowedTransitions(s)) assert.equal(transitionTenant(s, to), to);
  assert.deepEqual(allowedTransitions('cancelled'), []);
  assert.throws(() => transitionTenant('applied', 'live'), /transition_invalid/);
  assert.throws(() => transitionTenant('cancelled', 'live'), /transition_invalid/);
});

test('report channel: exactly one kind, validated per kind', () => {
  assert.deepEqual(normaliseReportChannel({ kind: 'email' }), {
    kind: 'email',
    mode: 'named',
    fixedRecipients: [],
  });
  assert.deepEqual(normaliseReportChannel({ kind: 'chatwork', roomId: '42' }), {
    kind: 'chatwork',
    roomId: '42',
  });
  assert.throws(
    () => normaliseReportChannel({ kind: 'email', mode: 'fixed' }),
    /report_channel_invalid/,
  );
  assert.throws(
    () => normaliseReportChannel({ kind: 'email', fixedRecipients: ['a@x.jp', 'A@X.JP'] }),
    /twice/,
  );
  assert.throws(() => normaliseReportChannel({ kind: 'fax' }), /unknown channel/);
  assert.throws(() => normaliseReportChannel({ kind: 'webhook', url: 'ftp://x' }), /https/);
});

test('e-mail: domain lower-cased, local part kept, nonsense refused', () => {
  assert.equal(normaliseEmail(' Taro.Yamada@Example.CO.JP '), 'Taro.Yamada@example.co.jp');
  assert.equal(normaliseEmail('山田@例え.jp'), '山田@例え.jp');
  for (const bad of ['', '@x.jp', 'a@', 'a@@x.jp', 'a@x', 'a b@x.jp', 'a..b@x.jp'])
    assert.throws(() => normaliseEmail(bad), /email_invalid/, bad);
});

test('login throttle counts per account and per address within the window', () => {
  const clock = new ManualClock();
  const t = new LoginThrottle(clock, { maxFailures: 3, maxPerIp: 5, windowMs: 60_000 });
  for (let i = 0; i < 3; i++) t.fail('a@x.jp', '10.0.0.1');
  assert.ok(t.retryAfter('a@x.jp', '10.0.0.9') > 0);
  assert.equal(t.retryAfter('b@x.jp', '10.0.0.9'), 0);
  t.fail('c@x.jp', '10.0.0.1');
  t.fail('d@x.jp', '10.0.0.1');
  assert.ok(t.retryAfter('e@x.jp', '10.0.0.1') > 0, 'the address is throttled after 5 failures');
  clock.advance(60_001);
  assert.equal(t.retryAfter('a@x.jp', '10.0.0.1'), 0);
});
