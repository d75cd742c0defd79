import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  parseMessage,
  SipErrorCode,
  SipHeaders,
  SipParseError,
  SipRequest,
  SipResponse,
  SipStackError,
  serializeMessage,
  tagOf,
} from '../src/index.ts';
import { INVITE, REGISTER, RESPONSE } from './support/messages.ts';

const parseError = (code: string) => (e: unknown) => e instanceof SipParseError && e.code === code;

test('request: start line, hot headers, body by Content-Length', () => {
  const m = parseMessage(INVITE);
  assert.ok(m instanceof SipRequest);
  assert.equal(m.method, 'INVITE');
  assert.equal(m.uriText, 'sip:bob@biloxi.example.com');
  assert.equal(m.topVia?.host, 'pc33.atlanta.example.com');
  assert.equal(m.maxForwards, 70);
  assert.equal(tagOf(m.from), '1928301774');
  assert.equal(m.to.displayName, 'Bob');
  assert.equal(m.callId, 'a84b4c76e66710@pc33.atlanta.example.com');
  assert.deepEqual(m.cseq, { seq: 314159, method: 'INVITE' });
  assert.equal(m.contentLength, 17);
  assert.equal(m.body.toString(), 'v=0\r\no=- 0 0 IN\r\n');
});

test('compact forms are looked up by either name and written in full', () => {
  const m = parseMessage(REGISTER);
  assert.equal(m.headers.get('Via'), m.headers.get('v'));
  assert.equal(m.callId, '1j9FpLxk3uxtm8tn@biloxi.example.com');
  assert.ok(!m.contacts.star && m.contacts.contacts.length === 2);
  const wire = serializeMessage(m).toString();
  assert.match(wire, /\r\nVia: SIP\/2.0\/TLS/);
  assert.match(wire, /\r\nFrom: Bob/);
  assert.match(wire, /\r\nCall-ID: 1j9F/);
  assert.match(wire, /\r\nContent-Length: 0\r\n\r\n$/);
  assert.doesNotMatch(wire, /\r\n[vftiml]: /);
});

test('response: status line and multi-valued headers', () => {
  const m = parseMessage(RESPONSE);
  assert.ok(m.kind === 'response');
  assert.equal(m.status, 180);
  assert.equal(m.reason, 'Ringing');
  assert.equal(m.vias.length, 2);
  assert.equal(m.vias[1]?.params.get('received'), '2001:db8::1');
  assert.equal(m.recordRoutes.length, 2);
});

test('lazy parsing: a bad non-hot header does not stop the message; bad hot ones throw on access', () => {
  const m = parseMessage(INVITE.replace('CSeq: 314159 INVITE', 'CSeq: x\r\nDate: garbage'));
  assert.equal(m.headers.get('date'), 'garbage');
  assert.throws(() => m.cseq, parseError(SipErrorCode.BadHeaderValue));
});

test('parsed values are cached and invalidated when headers change', () => {
  const m = parseMessage(INVITE);
  const first = m.topVia;
  assert.equal(m.topVia, first);
  m.headers.prepend('Via', 'SIP/2.0/TCP proxy.example.com;branch=z9hG4bKp1');
  assert.equal(m.vias.length, 2);
  assert.equal(m.topVia?.host, 'proxy.example.com');
  m.headers.removeFirstValue('via');
  assert.equal(m.topVia?.host, 'pc33.atlanta.example.com');
});

test('folded lines, case-insensitive names, leading CRLF keep-alives', () => {
  const m = parseMessage(
    `\r\n\r\n${INVITE.replace('Max-Forwards: 70', 'mAx-FoRwArDs  :\r\n\t 70').replace('Call-ID: a84b', 'call-id:\r\n  a84b')}`,
  );
  assert.equal(m.maxForwards, 70);
  assert.equal(m.callId, 'a84b4c76e66710@pc33.atlanta.example.com');
});

test('datagram without Content-Length: the body runs to the end', () => {
  const m = parseMessage(INVITE.replace('Content-Length: 17\r\n', ''));
  assert.equal(m.body.length, 17);
});

test('framing errors are typed and carry the partial message', () => {
  assert.throws(() => parseMessage(''), parseError(SipErrorCode.EmptyMessage));
  assert.throws(
    () => parseMessage('INVITE sip:a@b SIP/2.0\r\nVia: x'),
    parseError(SipErrorCode.HeadersIncomplete),
  );
  assert.throws(() => parseMessage('HELLO\r\n\r\n'), parseError(SipErrorCode.BadStartLine));
  assert.throws(
    () => parseMessage('SIP/2.0 99 Low\r\n\r\n'),
    parseError(SipErrorCode.BadStatusCode),
  );
  assert.throws(
    () => parseMessage('INV@TE sip:a@b SIP/2.0\r\n\r\n'),
    parseError(SipErrorCode.BadStartLine),
  );
  try {
    parseMessage(INVITE.replace('Content-Length: 17', 'Content-Length: 18'));
    assert.fail('expected BodyTruncated');
  } catch (err) {
    assert.ok(err instanceof SipParseError && err.code === SipErrorCode.BodyTruncated);
    assert.equal(err.partial?.kind, 'request');
  }
  assert.throws(
    () => parseMessage(INVITE.replace('Max-Forwards: 70', 'Max-Forwards 70')),
    (e: unknown) =>
      parseError(SipErrorCode.BadHeaderLine)(e) && (e as SipParseError).partial !== undefined,
  );
  assert.throws(
    () => parseMessage(INVITE, { maxMessageSize: 100 }),
    parseError(SipErrorCode.MessageTooLarge),
  );
});

test('serialization: canonical, idempotent, body preserved byte for byte', () => {
  const m = parseMessage(INVITE);
  const wire = serializeMessage(m);
  assert.deepEqual(serializeMessage(parseMessage(wire)), wire);
  const norm = serializeMessage(parseMessage(RESPONSE), { normalize: true }).toString();
  assert.match(norm, /\r\nFrom: "Alice" <sip:alice@atlanta.example.com>;tag=1928301774\r\n/);
  assert.match(norm, /\r\nRecord-Route: <sip:server10.biloxi.example.com;lr>, <sip:bigbox3/);
});

test('building a request from scratch', () => {
  const h = new SipHeaders()
    .append('Via', 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKabc')
    .append('To', '<sip:bob@127.0.0.1>')
    .append('From', '<sip:alice@127.0.0.1>;tag=1')
    .append('Call-ID', 'x1')
    .append('CSeq', '1 OPTIONS')
    .append('Max-Forwards', '70');
  const r = new SipRequest('OPTIONS', 'sip:bob@127.0.0.1', h);
  const text = serializeMessage(r).toString();
  assert.equal(text.split('\r\n')[0], 'OPTIONS sip:bob@127.0.0.1 SIP/2.0');
  assert.deepEqual(parseMessage(text).cseq, { seq: 1, method: 'OPTIONS' });
  h.set('Max-Forwards', '69');
  assert.equal(r.maxForwards, 69);
  assert.equal(h.count('max-forwards'), 1);
});

test('API input cannot inject header lines', () => {
  const h = new SipHeaders();
  assert.throws(() => h.append('X-Evil', 'a\r\nVia: forged'), SipStackError);
  assert.throws(() => h.append('Bad Name', 'x'), SipStackError);
  assert.throws(() => h.set('X', 'a\nb'), SipStackError);
  const r = new SipRequest('OPTIONS', 'sip:a@b\r\nX: y', h);
  assert.throws(() => serializeMessage(r), SipStackError);
  const resp = new SipResponse(200, 'OK\r\nX: y');
  assert.throws(() => serializeMessage(resp), SipStackError);
});
