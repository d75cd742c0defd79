import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatUri,
  createBranch,
  createResponse,
  createTag,
  Dialog,
  parseMessage,
  SipErrorCode,
  type SipRequest,
  type SipResponse,
  SipStackError,
  serializeMessage,
  validateMessage,
} from '../src/index.ts';

const INVITE = [
  'INVITE sip:bob@127.0.0.1:5070 SIP/2.0',
  'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-d1',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@127.0.0.1>',
  'From: Alice <sip:alice@127.0.0.1>;tag=alice1',
  'Call-ID: dlg-1@127.0.0.1',
  'CSeq: 10 INVITE',
  'Contact: <sip:alice@127.0.0.1:5060>',
  'Record-Route: <sip:p1.invalid;lr>, <sip:p2.invalid;lr>',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

function responseFrom(req: SipRequest, status: number, contact: string): SipResponse {
  const r = createResponse(req, status, { toTag: 'bob1', headers: [['Contact', contact]] });
  return parseMessage(serializeMessage(r)) as SipResponse;
}

const via = () => `SIP/2.0/UDP 127.0.0.1:5060;branch=${createBranch()}`;

test('UAC dialog: early on 180, confirmed on 200, route set reversed (§12.1.2)', () => {
  const invite = parseMessage(INVITE) as SipRequest;
  const d = Dialog.asUac(invite, responseFrom(invite, 180, '<sip:bob@127.0.0.1:5071>'));
  assert.equal(d.state, 'early');
  assert.deepEqual(d.id, { callId: 'dlg-1@127.0.0.1', localTag: 'alice1', remoteTag: 'bob1' });
  assert.deepEqual(d.routeSet, ['<sip:p2.invalid;lr>', '<sip:p1.invalid;lr>']);
  d.receiveResponse(responseFrom(invite, 200, '<sip:bob@127.0.0.1:5072>'));
  assert.equal(d.state, 'confirmed');
  assert.equal(d.remoteTarget, 'sip:bob@127.0.0.1:5072');

  const ack = d.createAck(10, { via: via() });
  assert.equal(ack.uriText, 'sip:bob@127.0.0.1:5072');
  assert.deepEqual(ack.cseq, { seq: 10, method: 'ACK' });
  const bye = d.createRequest('BYE', { via: via() });
  assert.deepEqual(bye.cseq, { seq: 11, method: 'BYE' });
  assert.deepEqual(bye.headers.getAll('route'), ['<sip:p2.invalid;lr>', '<sip:p1.invalid;lr>']);
  assert.equal(bye.from.params.get('tag'), 'alice1');
  assert.equal(bye.to.params.get('tag'), 'bob1');
  assert.equal(bye.from.displayName, 'Alice');
  // What we build passes our own validator once serialized.
  assert.equal(validateMessage(parseMessage(serializeMessage(bye))).kind, 'accept');
  d.terminate();
  assert.throws(() => d.createRequest('BYE', { via: via() }), SipStackError);
});

test('strict routing: the first route becomes the Request-URI (§12.2.1.1)', () => {
  const invite = parseMessage(
    INVITE.replace('<sip:p1.invalid;lr>', '<sip:p1.invalid;maddr=127.0.0.9>'),
  ) as SipRequest;
  const d = Dialog.asUac(invite, responseFrom(invite, 200, '<sip:bob@127.0.0.1:5072>'));
  // reversed: p2 (loose) first — make a strict first hop instead
  d.routeSet = ['<sip:p1.invalid;maddr=127.0.0.9;method=INVITE?x=y>', '<sip:p2.invalid;lr>'];
  const info = d.createRequest('INFO', { via: via() });
  assert.equal(info.uriText, 'sip:p1.invalid;maddr=127.0.0.9');
  assert.deepEqual(info.headers.getAll('route'), [
    '<sip:p2.invalid;lr>',
    '<sip:bob@127.0.0.1:5072>',
  ]);
});

test('UAS dialog: CSeq ordering and target refresh (§12.2.2)', () => {
  const invite = parseMessage(INVITE) as SipRequest;
  const ok = createResponse(invite, 200, {
    toTag: createTag(),
    headers: [['Contact', '<sip:bob@127.0.0.1:5070>']],
  });
  const d = Dialog.asUas(invite, ok);
  assert.equal(d.state, 'confirmed');
  assert.deepEqual(d.routeSet, ['<sip:p1.invalid;lr>', '<sip:p2.invalid;lr>']);
  assert.equal(d.remoteTarget, 'sip:alice@127.0.0.1:5060');
  assert.equal(d.remoteSeq, 10);
  const reinvite = parseMessage(
    INVITE.replace('CSeq: 10 INVITE', 'CSeq: 11 INVITE').replace(
      '<sip:alice@127.0.0.1:5060>',
      '<sip:alice@127.0.0.1:6000>',
    ),
  ) as SipRequest;
  assert.equal(d.receiveRequest(reinvite), 'ok');
  assert.equal(d.remoteTarget, 'sip:alice@127.0.0.1:6000');
  const stale = parseMessage(
    INVITE.replace('CSeq: 10 INVITE', 'CSeq: 9 BYE').replace('INVITE sip', 'BYE sip'),
  ) as SipRequest;
  assert.equal(d.receiveRequest(stale), 'out-of-order');
  const bye = d.createRequest('BYE', { via: via() });
  assert.deepEqual(bye.cseq, { seq: 1, method: 'BYE' });
  assert.equal(bye.uriText, 'sip:alice@127.0.0.1:6000');
  assert.deepEqual(bye.headers.getAll('route'), ['<sip:p1.invalid;lr>', '<sip:p2.invalid;lr>']);
});

test("a dialog needs the peer's To tag; RFC 2543 UACs may omit Contact and From tag", () => {
  const invite = parseMessage(INVITE) as SipRequest;
  assert.throws(
    () => Dialog.asUac(invite, createResponse(invite, 200)),
    (e: unknown) => e instanceof SipStackError && e.code === SipErrorCode.InvalidArgument,
  );
  // RFC 4475 "inv2543": no Contact (the From URI is the target) and a null From tag (§12.1.1).
  const old = parseMessage(
    INVITE.replace('Contact: <sip:alice@127.0.0.1:5060>\r\n', '').replace(
      /(From: [^\r]*?);tag=[^\r;]*/,
      '$1',
    ),
  ) as SipRequest;
  const d = Dialog.asUas(old, createResponse(old, 200, { toTag: 'x' }));
  assert.equal(d.remoteTarget, formatUri(old.from.uri));
  assert.equal(d.id.remoteTag, '');
});
