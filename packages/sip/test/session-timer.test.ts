/**
 * RFC 4028 session timers on the UAS side, on virtual time: the 2xx names the interval
 * and refresher, an unrefreshed session is ended with BYE before it expires, a re-INVITE
 * refresh keeps it up, too small an interval gets 422, and when the UAC cannot refresh we
 * do (re-INVITE at half the interval).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  LoopbackEndpointTransport,
  type SessionEnd,
  SipEndpoint,
  type SipResponse,
} from '../src/index.ts';
import { ANSWER, B, endpointPair, OFFER } from './support/endpoint-pair.ts';

const URI = `sip:bob@${B.address}:${B.port}`;

async function pairWithTimers() {
  const w = endpointPair();
  await w.b.close();
  const b = new SipEndpoint({ clock: w.clock, sessionTimer: { minSE: 90 } });
  b.attach(new LoopbackEndpointTransport(w.net, B, b));
  const calleeEnds: SessionEnd[] = [];
  b.on('invite', (s) => {
    s.once('ended', (e) => calleeEnds.push(e));
    s.accept(ANSWER);
  });
  const ok = () =>
    w.wire
      .map((r) => r.message)
      .find((m): m is SipResponse => m.kind === 'response' && m.status === 200);
  return { w, b, calleeEnds, ok };
}

function call(w: ReturnType<typeof endpointPair>, headers: Array<[string, string]>) {
  const c = w.a.invite({ uri: URI, sdp: OFFER, headers });
  const ends: SessionEnd[] = [];
  c.once('ended', (e) => ends.push(e));
  return { c, ends };
}

describe('session timers (RFC 4028), UAS side', () => {
  test('no refresh: the callee sends BYE at expiry − 32 s', async () => {
    const { w, calleeEnds, ok } = await pairWithTimers();
    const { ends } = call(w, [
      ['Session-Expires', '120'],
      ['Supported', 'timer'],
    ]);
    w.clock.advance(100);
    assert.equal(ok()?.headers.get('session-expires'), '120;refresher=uac');
    assert.equal(ok()?.headers.get('require'), 'timer');
    w.clock.advance(87_000);
    assert.deepEqual(ends, []);
    w.clock.advance(2_000);
    assert.deepEqual(calleeEnds, [{ reason: 'timeout', by: 'local' }]);
    assert.deepEqual(ends, [{ reason: 'bye', by: 'remote' }]);
  });

  test('a re-INVITE refresh restarts the timer', async () => {
    const { w, calleeEnds } = await pairWithTimers();
    const { c, ends } = call(w, [
      ['Session-Expires', '120'],
      ['Supported', 'timer'],
    ]);
    w.clock.advance(60_000);
    const refreshed = c.reinvite(OFFER);
    w.clock.advance(100);
    assert.equal((await refreshed).status, 200);
    w.clock.advance(80_000); // 140 s after the call started, 80 s after the refresh
    assert.deepEqual(ends, []);
    w.clock.advance(10_000);
    assert.deepEqual(calleeEnds, [{ reason: 'timeout', by: 'local' }]);
  });

  test('an interval below Min-SE gets 422 with Min-SE (§8.1)', async () => {
    const { w } = await pairWithTimers();
    const { ends } = call(w, [
      ['Session-Expires', '30'],
      ['Supported', 'timer'],
    ]);
    w.clock.advance(100);
    assert.deepEqual(ends, [{ reason: 'rejected', by: 'remote', status: 422 }]);
    const r = w.wire
      .map((x) => x.message)
      .find((m): m is SipResponse => m.kind === 'response' && m.status === 422);
    assert.equal(r?.headers.get('min-se'), '90');
  });

  test('a UAC without "timer" support: we refresh at half the interval (§9)', async () => {
    const { w, calleeEnds, ok } = await pairWithTimers();
    const { ends } = call(w, [['Session-Expires', '100']]);
    w.clock.advance(100);
    assert.equal(ok()?.headers.get('session-expires'), '100;refresher=uas');
    assert.equal(ok()?.headers.get('require'), undefined);
    // The caller's INVITE allows UPDATE, so the refreshes are bodiless UPDATEs (§9).
    const count = (x: string) => w.summary().filter((s) => s === x).length;
    w.clock.advance(51_000);
    assert.equal(count('UPDATE'), 1);
    w.clock.advance(200_000);
    assert.deepEqual(ends, []);
    assert.deepEqual(calleeEnds, []);
    // Five refreshes in 250 s, every one answered; no re-INVITE.
    assert.equal(count('UPDATE'), 5);
    assert.equal(count('200 UPDATE'), 5);
    assert.equal(count('INVITE'), 1);
  });
});
