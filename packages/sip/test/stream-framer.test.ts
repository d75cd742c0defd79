import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SipErrorCode, SipStreamFramer } from '../src/index.ts';
import { INVITE, REGISTER } from './support/messages.ts';

test('frames back-to-back messages split at arbitrary byte boundaries', () => {
  const stream = Buffer.from(`\r\n\r\n${INVITE}${REGISTER}\r\n${INVITE}`);
  for (const step of [1, 3, 7, 64, stream.length]) {
    const framer = new SipStreamFramer();
    const out = [];
    for (let i = 0; i < stream.length; i += step)
      out.push(...framer.push(stream.subarray(i, i + step)));
    assert.deepEqual(
      out.map((o) =>
        o.kind === 'message'
          ? o.message.kind === 'request'
            ? o.message.method
            : 'resp'
          : o.error.code,
      ),
      ['INVITE', 'REGISTER', 'INVITE'],
      `step ${step}`,
    );
    const first = out[0];
    assert.ok(first?.kind === 'message');
    assert.equal(first.message.body.toString(), 'v=0\r\no=- 0 0 IN\r\n');
    assert.equal(framer.buffered, 0);
  }
});

test('a stream message without Content-Length is fatal and keeps the partial request', () => {
  const framer = new SipStreamFramer();
  const out = framer.push(Buffer.from(INVITE.replace('Content-Length: 17\r\n', '')));
  assert.equal(out.length, 1);
  const o = out[0]!;
  assert.ok(o.kind === 'error' && o.fatal);
  assert.equal(o.error.code, SipErrorCode.MissingContentLength);
  assert.equal(o.error.partial?.kind, 'request');
  assert.ok(framer.failed);
  assert.deepEqual(framer.push(Buffer.from(INVITE)), []);
});

test('oversized header sections and bodies are fatal', () => {
  const a = new SipStreamFramer({ maxHeaderBytes: 64 });
  const outA = a.push(Buffer.from('INVITE sip:a@b SIP/2.0\r\n'.padEnd(100, 'x')));
  assert.ok(outA[0]?.kind === 'error' && outA[0].error.code === SipErrorCode.MessageTooLarge);
  const b = new SipStreamFramer({ maxBodyBytes: 4 });
  const outB = b.push(Buffer.from(INVITE));
  assert.ok(
    outB[0]?.kind === 'error' &&
      outB[0].fatal &&
      outB[0].error.code === SipErrorCode.MessageTooLarge,
  );
});

test('a malformed header line with intact framing is reported and the stream continues', () => {
  const framer = new SipStreamFramer();
  const out = framer.push(
    Buffer.from(`${INVITE.replace('Max-Forwards: 70', 'garbage line')}${REGISTER}`),
  );
  assert.equal(out.length, 2);
  assert.ok(
    out[0]?.kind === 'error' && !out[0].fatal && out[0].error.code === SipErrorCode.BadHeaderLine,
  );
  assert.equal(out[1]?.kind, 'message');
});
