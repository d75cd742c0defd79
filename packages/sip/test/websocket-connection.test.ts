import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createResponse,
  parseMessage,
  type SipRequest,
  SipStackError,
  WebSocketSipConnection,
} from '../src/index.ts';

const REGISTER = [
  'REGISTER sip:127.0.0.1 SIP/2.0',
  'Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKasudf;rport',
  'Max-Forwards: 70',
  'To: <sip:op1@127.0.0.1>',
  'From: <sip:op1@127.0.0.1>;tag=65bnmj',
  'Call-ID: aiuy7k9njasd',
  'CSeq: 1 REGISTER',
  'Contact: <sip:op1@df7jal23ls0d.invalid;transport=ws>;expires=300',
  '',
  '',
].join('\r\n');

function fakeSocket() {
  const sent: string[] = [];
  let closed = 0;
  return {
    sent,
    closedCount: () => closed,
    socket: { send: (d: string) => sent.push(d), close: () => closed++ },
  };
}

test('SIP over WebSocket (RFC 7118): no Content-Length needed, replies on the same socket', () => {
  const ws = fakeSocket();
  const got: SipRequest[] = [];
  const conn = new WebSocketSipConnection(
    ws.socket,
    { address: '127.0.0.1', port: 40000 },
    {
      onRequest: (req, _peer, reply) => {
        got.push(req);
        reply.send(createResponse(req, 200, { toTag: 'r' }));
      },
      onResponse: () => {},
    },
  );
  conn.receive(REGISTER);
  assert.equal(got.length, 1);
  assert.match(got[0]!.headers.get('via')!, /;rport=40000;received=127\.0\.0\.1$/);
  const res = parseMessage(ws.sent[0]!);
  assert.ok(res.kind === 'response' && res.status === 200);
  assert.equal(res.topVia?.transport, 'WSS');
});

test('bad WebSocket messages are answered or dropped, closed sockets refuse to send', () => {
  const ws = fakeSocket();
  const discarded: string[] = [];
  const conn = new WebSocketSipConnection(
    ws.socket,
    { address: '127.0.0.1', port: 40001 },
    {
      onRequest: () => assert.fail('must not reach the TU'),
      onResponse: () => {},
      onDiscard: (v) => discarded.push(v.kind),
    },
  );
  conn.receive(REGISTER.replace('CSeq: 1 REGISTER', 'CSeq: 1 INVITE'));
  conn.receive('garbage');
  assert.deepEqual(discarded, ['reject', 'drop']);
  const res = parseMessage(ws.sent[0]!);
  assert.ok(res.kind === 'response' && res.status === 400);
  conn.close();
  conn.close();
  assert.equal(ws.closedCount(), 1);
  assert.throws(() => conn.channel.send(res), SipStackError);
});
