/**
 * RFC 4028 session timers as the peer asks for them and as we ask for them, on virtual
 * time: an endpoint with default options honours Session-Expires; our INVITE with
 * `sessionTimer` offers it, answers 422 with the peer's Min-SE (§7.4) and refreshes when
 * the 2xx names us refresher; `sessionTimer: false` ignores it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  LoopbackEndpointTransport,
  type SessionEnd,
  SipEndpoint,
  type SipRequest,
  type SipResponse,
} from '../src/index.ts';
import { ANSWER, B, endpointPair, OFFER } from './support/endpoint-pair.ts';

const URI = `sip:bob@${B.address}:${B.port}`;

async function pair(policy?: { minSE?: number } | false) {
  const w = endpointPair();
  if (policy !== undefined) {
    await w.b.close();
    const b = new SipEndpoint({ clock: w.clock, sessionTimer: policy });
    b.attach(new LoopbackEndpointTransport(w.net, B, b));
    w.b = b;
  }
  const calleeEnds: SessionEnd[] = [];
  w.b.on('invite', (s) => {
    s.once('ended', (e) => calleeEnds.push(e));
    s.accept(ANSWER);
  });
  const messages = () => w.wire.map((r) => r.message);
  const updates = () =>
    messages().filter((m): m is SipRequest => m.kind === 'request' && m.method === 'UPDATE');
  const invites = () =>
    messages().filter((m): m is SipRequest => m.kind === 'request' && m.method === 'INVITE');
  const oks = () =>
    messages().filter(
      (m): m is SipResponse =>
        m.kind === 'response' && m.status === 200 && m.cseq.method === 'INVITE',
    );
  return { w, calleeEnds, invites, oks, updates };
}

describe('session timers (RFC 4028) as asked by either side', () => {
  test('default endpoint honours the UAC; our UAC refreshes at half the interval', async () => {
    const { w, calleeEnds, invites, oks, updates } = await pair();
    const call = w.a.invite({ uri: URI, sdp: OFFER, sessionTimer: { interval: 120 } });
    const ends: SessionEnd[] = [];
    call.once('ended', (e) => ends.push(e));
    w.clock.advance(100);
    const first = invites()[0]!;
    assert.equal(first.headers.get('session-expires'), '120');
    assert.equal(first.headers.get('min-se'), '90');
    assert.match(first.headers.get('supported') ?? '', /timer/);
    assert.equal(oks()[0]?.headers.get('session-expires'), '120;refresher=uac');
    w.clock.advance(300_000);
    // The callee's 2xx allows UPDATE, so the refreshes at 60, 120, 180, 240, 300 s are
    // bodiless UPDATEs (no offer, no ACK), and they kept the call up at the callee.
    assert.match(oks()[0]?.headers.get('allow') ?? '', /UPDATE/);
    assert.equal(invites().length, 1);
    assert.equal(updates().length, 5);
    for (const refresh of updates()) {
      assert.equal(refresh.headers.get('session-expires'), '120;refresher=uac');
      assert.equal(refresh.body.length, 0);
    }
    assert.deepEqual(ends, []);
    assert.deepEqual(calleeEnds, []);
    call.bye();
    w.clock.advance(100);
    assert.deepEqual(calleeEnds, [{ reason: 'bye', by: 'remote' }]);
  });

  test('422 with Min-SE: retried once with the larger interval (§7.4)', async () => {
    const { w, invites, oks } = await pair({ minSE: 300 });
    const call = w.a.invite({ uri: URI, sdp: OFFER, sessionTimer: { interval: 120 } });
    w.clock.advance(1000);
    assert.equal(call.state, 'confirmed');
    const [a, b] = invites();
    assert.equal(a?.headers.get('session-expires'), '120');
    assert.equal(b?.headers.get('session-expires'), '300');
    assert.equal(b?.headers.get('min-se'), '300');
    assert.equal(b?.cseq.seq, (a?.cseq.seq ?? 0) + 1);
    assert.equal(b?.callId, a?.callId);
    assert.equal(oks()[0]?.headers.get('session-expires'), '300;refresher=uac');
    assert.ok(w.summary().includes('422 INVITE'));
  });

  test('a second 422 ends the call as rejected', async () => {
    const w = endpointPair();
    await w.b.close();
    // A peer that answers every INVITE 422, whatever the interval.
    const stubborn = new SipEndpoint({
      clock: w.clock,
      screenInvite: () => ({ status: 422, headers: [['Min-SE', '1000']] }),
    });
    stubborn.attach(new LoopbackEndpointTransport(w.net, B, stubborn));
    stubborn.on('invite', (s) => s.accept(ANSWER));
    const call = w.a.invite({ uri: URI, sdp: OFFER, sessionTimer: { interval: 120 } });
    const ends: SessionEnd[] = [];
    call.once('ended', (e) => ends.push(e));
    w.clock.advance(1000);
    assert.deepEqual(ends, [{ reason: 'rejected', by: 'remote', status: 422 }]);
    assert.equal(w.summary().filter((x) => x === '422 INVITE').length, 2);
  });

  test('sessionTimer: false ignores Session-Expires (no timer either side)', async () => {
    const { w, calleeEnds, oks } = await pair(false);
    const call = w.a.invite({ uri: URI, sdp: OFFER, sessionTimer: { interval: 120 } });
    w.clock.advance(100);
    assert.equal(oks()[0]?.headers.get('session-expires'), undefined);
    w.clock.advance(600_000);
    assert.equal(call.state, 'confirmed');
    assert.deepEqual(calleeEnds, []);
    assert.equal(w.summary().filter((x) => x === 'INVITE').length, 1);
  });

  for (const [allow, method] of [
    [undefined, 'UPDATE'],
    ['INVITE, ACK, CANCEL, BYE, OPTIONS', 'INVITE'],
  ] as const) {
    test(`we ask the callee to refresh (${method} as our Allow permits); the refreshes keep the call, their loss ends it`, async () => {
      let cut = false;
      const w = endpointPair({ faults: { dropIf: (_d, from) => cut && from.endsWith(':5070') } });
      const calleeInvites: SipRequest[] = [];
      w.b.on('invite', (s) => s.accept(ANSWER));
      const call = w.a.invite({
        uri: URI,
        sdp: OFFER,
        sessionTimer: { interval: 120, refresher: 'uas' },
        headers: allow === undefined ? [] : [['Allow', allow]],
      });
      const ends: SessionEnd[] = [];
      call.once('ended', (e) => ends.push(e));
      w.clock.advance(100);
      const ok = w.wire
        .map((r) => r.message)
        .find((m): m is SipResponse => m.kind === 'response' && m.status === 200);
      assert.equal(ok?.headers.get('session-expires'), '120;refresher=uas');
      w.clock.advance(200_000);
      for (const r of w.wire) {
        if (
          r.from.endsWith(':5070') &&
          r.message.kind === 'request' &&
          r.message.method === method
        ) {
          calleeInvites.push(r.message);
        }
      }
      // The callee refreshed at 60, 120, 180 s with the method our Allow permits.
      assert.equal(calleeInvites.length, 3);
      assert.equal(w.summary().filter((x) => x === 'INVITE').length, method === 'INVITE' ? 4 : 1);
      assert.deepEqual(ends, []);
      cut = true; // the callee's refreshes stop reaching us
      w.clock.advance(100_000);
      // Last refresh at 180 s: we give up at 180 + 120 − 32 = 268 s and send BYE.
      assert.deepEqual(ends, [{ reason: 'timeout', by: 'local' }]);
    });
  }
});
