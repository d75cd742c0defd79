import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatNameAddr,
  formatVia,
  parseCallId,
  parseContacts,
  parseCSeq,
  parseMaxForwards,
  parseNameAddr,
  parseParams,
  parseVia,
  quote,
  SipParseError,
  splitList,
  unquote,
  viaRport,
} from '../src/index.ts';

const throwsParse = (fn: () => unknown, label: string) =>
  assert.throws(fn, (e: unknown) => e instanceof SipParseError, label);

test('quoted strings: escapes in and out', () => {
  assert.equal(unquote('"a \\"b\\" \\\\ c"'), 'a "b" \\ c');
  assert.equal(quote('a "b" \\ c'), '"a \\"b\\" \\\\ c"');
  assert.equal(quote('bel\x07'), '"bel\\\x07"');
  assert.equal(unquote(quote('x\r\ny')), 'x  y');
  assert.equal(unquote('token'), 'token');
});

test('splitList respects quotes and angle brackets', () => {
  assert.deepEqual(splitList('"a, b" <sip:x@y;p=1,2>, <sip:z>;q=0.5 ,sip:w'), [
    '"a, b" <sip:x@y;p=1,2>',
    '<sip:z>;q=0.5',
    'sip:w',
  ]);
  throwsParse(() => splitList('"unterminated, x'), 'unbalanced quote');
});

test('generic params: whitespace around ; and =, flags, quoted values', () => {
  const p = parseParams(' ; tag = abc ;lr; foo="a;b" ;Q=0.5', 0);
  assert.deepEqual(
    [...p],
    [
      ['tag', 'abc'],
      ['lr', null],
      ['foo', '"a;b"'],
      ['q', '0.5'],
    ],
  );
  throwsParse(() => parseParams(';;', 0), 'empty name');
  throwsParse(() => parseParams(';a=', 0), 'empty value');
  throwsParse(() => parseParams(' x', 0), 'garbage');
});

test('name-addr and addr-spec with the §20 parameter-scoping rule', () => {
  const a = parseNameAddr('"Alice \\"A\\"" <sip:alice@example.com;transport=tcp>;tag=1928');
  assert.equal(a.displayName, 'Alice "A"');
  assert.ok(a.uri.kind === 'sip' && a.uri.params.get('transport') === 'tcp');
  assert.equal(a.params.get('tag'), '1928');
  assert.equal(formatNameAddr(a), '"Alice \\"A\\"" <sip:alice@example.com;transport=tcp>;tag=1928');
  const b = parseNameAddr('sip:bob@example.com;transport=tcp;tag=x');
  assert.ok(b.uri.kind === 'sip' && b.uri.params.size === 0);
  assert.deepEqual(
    [...b.params],
    [
      ['transport', 'tcp'],
      ['tag', 'x'],
    ],
  );
  assert.equal(formatNameAddr(b), '<sip:bob@example.com>;transport=tcp;tag=x');
  const c = parseNameAddr('Bob Smith<sip:bob@example.com>');
  assert.equal(c.displayName, 'Bob Smith');
  for (const bad of [
    '',
    '"open <sip:a@b>',
    '<sip:a@b',
    '<sip:a@b>x',
    'sip:a@b?x=y',
    '"x" sip:a@b',
    '<>',
  ]) {
    throwsParse(() => parseNameAddr(bad, 'To'), bad);
  }
});

test('Contact: star, lists, params', () => {
  assert.deepEqual(parseContacts(['*']), { star: true });
  const l = parseContacts(['<sip:a@b>;q=0.7;expires=3600, "X" <sip:c@d>', 'sip:e@f']);
  assert.ok(!l.star);
  assert.equal(l.contacts.length, 3);
  assert.equal(l.contacts[0]!.params.get('expires'), '3600');
  throwsParse(() => parseContacts(['*, <sip:a@b>']), 'star not alone');
  throwsParse(() => parseContacts(['<sip:a@b>,']), 'empty element');
});

test('Via: sent-protocol with LWS, sent-by, received, rport (RFC 3581)', () => {
  const v = parseVia(
    'SIP / 2.0 / udp  [2001:db8::9]:5066 ;branch=z9hG4bK776;rport;received=192.0.2.1',
  );
  assert.equal(v.transport, 'UDP');
  assert.equal(v.host, '[2001:db8::9]');
  assert.equal(v.port, 5066);
  assert.equal(viaRport(v), null);
  assert.equal(
    formatVia(v),
    'SIP/2.0/UDP [2001:db8::9]:5066;branch=z9hG4bK776;rport;received=192.0.2.1',
  );
  v.params.set('rport', '5070');
  assert.equal(viaRport(v), 5070);
  for (const bad of [
    'SIP/2.0 host',
    'SIP/2.0/UDP',
    'SIP/2.0/UDPhost',
    'SIP/2.0/UDP host;branch',
    'SIP/2.0/UDP host;received=example.com',
    'SIP/2.0/UDP host;rport=x',
    'SIP/2.0/UDP host:70000',
    'SIP/2.0/UDP host;;',
  ]) {
    throwsParse(() => parseVia(bad), bad);
  }
});

test('CSeq, Max-Forwards, Call-ID', () => {
  assert.deepEqual(parseCSeq(' 0042 \t INVITE '), { seq: 42, method: 'INVITE' });
  throwsParse(() => parseCSeq('2147483648 INVITE'), 'CSeq ≥ 2^31');
  throwsParse(() => parseCSeq('-1 INVITE'), 'negative');
  throwsParse(() => parseCSeq('1'), 'no method');
  assert.equal(parseMaxForwards('70'), 70);
  throwsParse(() => parseMaxForwards('256'), '>255');
  assert.equal(parseCallId('abc@host'), 'abc@host');
  throwsParse(() => parseCallId('a@b@c'), 'two @');
  throwsParse(() => parseCallId('a b'), 'space');
});
