/**
 * Two SipEndpoints on real UDP and TCP sockets on 127.0.0.1 (system clock): a call over
 * each transport, the callee hanging up over TCP on the caller's connection.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isLoopback, type SessionEnd, SipEndpoint } from '../src/index.ts';
import { ANSWER, OFFER } from './support/endpoint-pair.ts';

describe('SipEndpoint over UDP and TCP sockets', { timeout: 20_000 }, () => {
  let a: SipEndpoint;
  let b: SipEndpoint;
  before(async () => {
    const opts = { host: '127.0.0.1', port: 0, allowDestination: isLoopback };
    a = await SipEndpoint.listen(opts, { user: 'alice' });
    b = await SipEndpoint.listen(opts, { user: 'bob' });
    b.on('invite', (s) => {
      s.ring();
      s.accept(ANSWER);
      if (s.request.uriText.includes('hangup')) s.once('confirmed', () => s.bye());
    });
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  for (const transport of ['udp', 'tcp']) {
    test(`a call over ${transport}, BYE from the caller`, async () => {
      const call = a.invite({
        uri: `sip:bob@127.0.0.1:${b.local.port};transport=${transport}`,
        sdp: OFFER,
      });
      const remoteSdp = await new Promise<string | undefined>((res) => call.once('answered', res));
      assert.equal(remoteSdp, ANSWER);
      assert.match(call.request.headers.get('via') ?? '', new RegExp(`SIP/2.0/${transport}`, 'i'));
      const end = new Promise<SessionEnd>((res) => call.once('ended', res));
      call.bye();
      assert.deepEqual(await end, { reason: 'bye', by: 'local' });
    });
  }

  test("over tcp the callee hangs up on the caller's connection", async () => {
    const call = a.invite({
      uri: `sip:hangup@127.0.0.1:${b.local.port};transport=tcp`,
      sdp: OFFER,
    });
    const end = await new Promise<SessionEnd>((res) => call.once('ended', res));
    assert.deepEqual(end, { reason: 'bye', by: 'remote' });
  });
});
