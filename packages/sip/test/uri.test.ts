import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatUri, parseUri, SipErrorCode, SipParseError, uriEquals } from '../src/index.ts';

test('sip URI with every component', () => {
  const u = parseUri(
    'sips:alice:secret@atlanta.example.com:5061;transport=tcp;lr?subject=project%20x&priority=urgent',
  );
  assert.ok(u.kind === 'sip');
  assert.equal(u.scheme, 'sips');
  assert.equal(u.user, 'alice');
  assert.equal(u.password, 'secret');
  assert.equal(u.host, 'atlanta.example.com');
  assert.equal(u.port, 5061);
  assert.deepEqual(
    [...u.params],
    [
      ['transport', 'tcp'],
      ['lr', null],
    ],
  );
  assert.deepEqual(u.headers, [
    ['subject', 'project x'],
    ['priority', 'urgent'],
  ]);
  assert.equal(
    formatUri(u),
    'sips:alice:secret@atlanta.example.com:5061;transport=tcp;lr?subject=project%20x&priority=urgent',
  );
});

test('scheme is case-insensitive; host without user; IPv4 and IPv6 references', () => {
  const a = parseUri('SIP:192.0.2.4');
  assert.ok(
    a.kind === 'sip' && a.scheme === 'sip' && a.user === undefined && a.host === '192.0.2.4',
  );
  const b = parseUri('sip:[2001:db8::10]:5070;maddr=[2001:db8::1]');
  assert.ok(b.kind === 'sip');
  assert.equal(b.host, '[2001:db8::10]');
  assert.equal(b.port, 5070);
  assert.equal(b.params.get('maddr'), '[2001:db8::1]');
  assert.equal(formatUri(b), 'sip:[2001:db8::10]:5070;maddr=[2001:db8::1]');
});

test('escapes are decoded per component and re-escaped canonically', () => {
  const u = parseUri('sip:%61lice%20b@example.com;n%61me=v%25');
  assert.ok(u.kind === 'sip');
  assert.equal(u.user, 'alice b');
  assert.equal(u.params.get('name'), 'v%');
  assert.equal(formatUri(u), 'sip:alice%20b@example.com;name=v%25');
  const utf = parseUri('sip:%E5%A4%A7@example.com');
  assert.ok(utf.kind === 'sip' && utf.user === '大');
  assert.equal(formatUri(utf), 'sip:%E5%A4%A7@example.com');
});

test('tel and generic absolute URIs', () => {
  const t = parseUri('tel:+81-3-1234-5678;phone-context=example.jp');
  assert.ok(t.kind === 'tel');
  assert.equal(t.number, '+81-3-1234-5678');
  assert.equal(t.params.get('phone-context'), 'example.jp');
  assert.equal(formatUri(t), 'tel:+81-3-1234-5678;phone-context=example.jp');
  assert.deepEqual(parseUri('urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6'), {
    kind: 'absolute',
    scheme: 'urn',
    opaque: 'uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
  });
});

test('malformed URIs raise SIP_BAD_URI', () => {
  for (const bad of [
    'nocolon',
    ':x',
    '1abc:foo',
    'sip:',
    'sip:@host',
    'sip:user@',
    'sip:host:99999',
    'sip:host:',
    'sip:[::1',
    'sip:[zz]',
    'sip:host;a=',
    'sip:host;;x',
    'sip:us er@host',
    'sip:user@host?x',
    'sip:%zz@host',
    'sip:host x',
    'tel:',
    'foo:<bar>',
  ]) {
    assert.throws(
      () => parseUri(bad),
      (e: unknown) => e instanceof SipParseError && e.code === SipErrorCode.BadUri,
      bad,
    );
  }
});

test('URI comparison per RFC 3261 §19.1.4', () => {
  const eq = (a: string, b: string) => uriEquals(parseUri(a), parseUri(b));
  // The RFC's own equal pairs.
  assert.ok(eq('sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'));
  assert.ok(eq('sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5'));
  assert.ok(eq('sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;newparam=5'));
  assert.ok(
    eq(
      'sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com',
      'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com',
    ),
  );
  assert.ok(
    eq(
      'sip:alice@atlanta.com?subject=project%20x&priority=urgent',
      'sip:alice@atlanta.com?priority=urgent&subject=project%20x',
    ),
  );
  // …and the unequal ones.
  assert.ok(!eq('SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP'));
  assert.ok(!eq('sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060'));
  assert.ok(!eq('sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp'));
  assert.ok(!eq('sip:bob@biloxi.com', 'sip:bob@biloxi.com:6000;transport=tcp'));
  assert.ok(!eq('sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting'));
  assert.ok(!eq('sip:bob@phone21.boxesbybob.com', 'sip:bob@192.0.2.4'));
  assert.ok(!eq('sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;security=off'));
  assert.ok(!eq('sip:a@b', 'sips:a@b'));
  assert.ok(eq('tel:+81-3-1234-5678', 'tel:+81312345678'));
  assert.ok(!eq('tel:+81312345678', 'sip:+81312345678@example.com'));
});
