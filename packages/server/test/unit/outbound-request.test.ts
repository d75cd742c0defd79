import assert from 'node:assert/strict';
import { test } from 'node:test';
import { outboundRequest } from '../../src/telephony/outbound-request.ts';

const route = { trunkId: 't1', target: 'sip:203.0.113.10:5060', numberFormat: 'national' as const };

test('a phone number goes to the trunk: national numbers, our number asserted', () => {
  const r = outboundRequest('+81355550000', {
    timeoutMs: 1000,
    callerId: '+819011112222',
    assertedId: '+818000000001',
    route,
  });
  assert.deepEqual(r, {
    uri: 'sip:0355550000@203.0.113.10:5060;user=phone',
    from: '<sip:09011112222@203.0.113.10:5060;user=phone>',
    to: '<sip:0355550000@203.0.113.10:5060;user=phone>',
    headers: [['P-Asserted-Identity', '<sip:08000000001@203.0.113.10:5060;user=phone>']],
  });
});

test('E.164 trunks keep +81…; URI parameters of the target stay on the Request-URI', () => {
  const r = outboundRequest('+81355550000', {
    timeoutMs: 1000,
    callerId: '+818000000001',
    assertedId: '+818000000001',
    route: { ...route, target: 'sip:203.0.113.10:5070;transport=tcp', numberFormat: 'e164' },
  });
  assert.equal(r?.uri, 'sip:+81355550000@203.0.113.10:5070;user=phone;transport=tcp');
  assert.equal(r?.from, '<sip:+818000000001@203.0.113.10:5070;user=phone>');
});

test('a withheld caller: anonymous From and Privacy: id (RFC 3323), identity still asserted', () => {
  const r = outboundRequest('+81355550000', {
    timeoutMs: 1000,
    callerId: null,
    assertedId: '+818000000001',
    route,
  });
  assert.equal(r?.from, '"Anonymous" <sip:anonymous@anonymous.invalid>');
  assert.deepEqual(r?.headers, [
    ['P-Asserted-Identity', '<sip:08000000001@203.0.113.10:5060;user=phone>'],
    ['Privacy', 'id'],
  ]);
});

test('no route for a phone number: nothing to send; SIP URIs need none', () => {
  assert.equal(outboundRequest('+81355550000', { timeoutMs: 1, callerId: null }), undefined);
  assert.equal(
    outboundRequest('03-5555-0000', { timeoutMs: 1, callerId: null, route }),
    undefined,
    'only E.164 goes out',
  );
  assert.equal(
    outboundRequest('sip:client@127.0.0.1:5090', { timeoutMs: 1, callerId: '+819011112222' })?.uri,
    'sip:client@127.0.0.1:5090',
  );
});
