import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createResponse,
  parseMessage,
  type SipRequest,
  serializeMessage,
  tagOf,
  validateDatagram,
  type Verdict,
} from '../src/index.ts';
import { INVITE, RESPONSE } from './support/messages.ts';

const v = (text: string, options = {}): Verdict => validateDatagram(Buffer.from(text), options);
const status = (verdict: Verdict) => (verdict.kind === 'reject' ? verdict.status : verdict.kind);

test('valid messages are accepted', () => {
  assert.equal(v(INVITE).kind, 'accept');
  assert.equal(v(RESPONSE).kind, 'accept');
});

test('400 names the offending header', () => {
  const bad = v(INVITE.replace('From: "Alice" <sip:', 'From: "Alice <sip:'));
  assert.ok(bad.kind === 'reject' && bad.status === 400 && bad.reason === 'Bad From Header');
  const missing = v(INVITE.replace(/Call-ID: .*\r\n/, ''));
  assert.ok(missing.kind === 'reject' && missing.reason === 'Missing Call-ID Header');
  const dup = v(INVITE.replace('Max-Forwards: 70', 'Max-Forwards: 70\r\nMax-Forwards: 69'));
  assert.ok(dup.kind === 'reject' && dup.reason === 'Duplicate Max-Forwards Header');
});

test('status per RFC 3261 §8.2 and §16.3', () => {
  assert.equal(status(v(INVITE.replace('SIP/2.0\r\n', 'SIP/3.0\r\n'))), 505);
  assert.equal(
    status(v(INVITE.replace('sip:bob@biloxi.example.com SIP', 'mailto:bob@example.com SIP'))),
    416,
  );
  assert.equal(
    status(v(INVITE.replace('Max-Forwards: 70', 'Max-Forwards: 0'), { role: 'proxy' })),
    483,
  );
  assert.equal(status(v(INVITE.replace('Max-Forwards: 70', 'Max-Forwards: 0'))), 'accept');
  assert.equal(
    status(v(INVITE.replace('Max-Forwards: 70', 'Max-Forwards: 70\r\nRequire: 100rel'))),
    420,
  );
  assert.equal(
    status(
      v(INVITE.replace('Max-Forwards: 70', 'Max-Forwards: 70\r\nRequire: 100rel'), {
        isExtensionSupported: (t: string) => t === '100rel',
      }),
    ),
    'accept',
  );
  assert.equal(status(v(INVITE, { isMethodSupported: () => false })), 501);
  assert.equal(status(v(INVITE, { acceptedContentTypes: ['text/plain'] })), 415);
  assert.equal(status(v(INVITE, { maxBodySize: 10 })), 413);
  assert.equal(status(v(INVITE, { maxMessageSize: 100 })), 513);
  assert.equal(status(v(INVITE.replace('Content-Type: application/sdp\r\n', ''))), 400);
});

test('ACKs and responses are never answered, only dropped', () => {
  const ack = INVITE.replace('INVITE sip', 'ACK sip')
    .replace('314159 INVITE', '314159 ACK')
    .replace('From: "Alice', 'From: "Alice" "');
  assert.equal(v(ack).kind, 'drop');
  assert.equal(v(RESPONSE.replace('CSeq: 314159 INVITE', 'CSeq: x')).kind, 'drop');
  assert.equal(v('garbage\r\n\r\n').kind, 'drop');
  assert.equal(v('').kind, 'drop');
});

test('createResponse copies the transaction headers and adds a To tag', () => {
  const req = parseMessage(INVITE) as SipRequest;
  const r = createResponse(req, 486, { toTag: 'abc' });
  assert.equal(r.reason, 'Busy Here');
  assert.equal(tagOf(r.to), 'abc');
  assert.deepEqual(r.vias, req.vias);
  assert.deepEqual(r.cseq, req.cseq);
  const trying = createResponse(req, 100, { toTag: 'abc' });
  assert.equal(tagOf(trying.to), undefined);
  const text = serializeMessage(r).toString();
  assert.match(text, /^SIP\/2.0 486 Busy Here\r\n/);
});
