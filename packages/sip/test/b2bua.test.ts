/**
 * The B2BUA helper on the loopback network and virtual time: alice (5060) calls the
 * B2BUA (5080), which routes to bob (5070). Provisional and final responses, SDP rewriting
 * both ways, an ACK per leg, BYE from either side, CANCEL while ringing (487 to alice,
 * CANCEL to bob), rejects, hold/resume re-INVITEs and INFO relayed across, and refusals.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  B2bua,
  type B2buaCall,
  type B2buaHooks,
  type IncomingInviteSession,
  LoopbackEndpointTransport,
  type SessionEnd,
  SipEndpoint,
  type SipMessage,
} from '../src/index.ts';
import { A, ANSWER, B, endpointPair, OFFER } from './support/endpoint-pair.ts';

const M = { address: '127.0.0.1', port: 5080 };
const BOB = `sip:bob@${B.address}:${B.port}`;

/** Marks SDP as rewritten by the B2BUA: the session name carries the direction. */
const mark = (sdp: string, dir: string) => sdp.replace(/^s=.*$/m, `s=${dir}`);

function triangle(hooks: Partial<B2buaHooks> = {}) {
  const w = endpointPair();
  const m = new SipEndpoint({ clock: w.clock, user: 'b2bua' });
  m.attach(new LoopbackEndpointTransport(w.net, M, m));
  const b2bua = new B2bua(m, {
    route: () => ({ uri: BOB }),
    rewriteSdp: (sdp, dir) => mark(sdp, dir),
    ...hooks,
  });
  const calls: B2buaCall[] = [];
  b2bua.on('call', (c) => calls.push(c));
  const bob: { session?: IncomingInviteSession } = {};
  /** Messages seen on one hop, e.g. hop(A, M) = alice → b2bua. */
  const hop = (from: { port: number }, to: { port: number }) =>
    w.wire
      .filter((r) => r.from.endsWith(`:${from.port}`) && r.to.endsWith(`:${to.port}`))
      .map((r) => summarize(r.message));
  const call = () => w.a.invite({ uri: `sip:bob@${M.address}:${M.port}`, sdp: OFFER });
  return { w, m, b2bua, calls, bob, hop, call };
}

/** Advance virtual time in steps, letting the B2BUA's promise continuations run between. */
async function pump(t: { w: { clock: { advance(ms: number): void } } }, ms: number) {
  for (let done = 0; done < ms; done += 50) {
    await new Promise((r) => setImmediate(r));
    t.w.clock.advance(50);
  }
  await new Promise((r) => setImmediate(r));
}

function summarize(m: SipMessage): string {
  return m.kind === 'request' ? m.method : `${m.status} ${m.cseq.method}`;
}

function ends(s: { once(e: 'ended', l: (end: SessionEnd) => void): unknown }) {
  const box: SessionEnd[] = [];
  s.once('ended', (e) => box.push(e));
  return box;
}

describe('B2BUA helper', () => {
  test('ringing and answer relayed, SDP rewritten, ACK per leg, BYE from the caller', async () => {
    const t = triangle();
    t.w.b.on('invite', (s) => {
      t.bob.session = s;
      s.ring();
      t.w.clock.schedule(1000, () => s.accept(ANSWER));
    });
    const alice = t.call();
    const ringing: string[] = [];
    alice.on('ringing', (r) => ringing.push(String(r.status)));
    let answer: string | undefined;
    alice.on('answered', (sdp) => {
      answer = sdp;
    });
    await pump(t, 2000);
    assert.deepEqual(ringing, ['180']);
    assert.equal(alice.state, 'confirmed');
    assert.equal(t.bob.session?.state, 'confirmed');
    assert.equal(t.bob.session?.offer, mark(OFFER, 'a-to-b'));
    assert.equal(answer, mark(ANSWER, 'b-to-a'));
    assert.equal(t.calls[0]?.state, 'connected');
    // Two dialogs: different Call-IDs on the two legs.
    assert.notEqual(alice.callId, t.bob.session?.callId);
    const bobEnds = ends(t.bob.session!);
    alice.bye();
    await pump(t, 500);
    assert.deepEqual(bobEnds, [{ reason: 'bye', by: 'remote' }]);
    assert.deepEqual(t.calls[0]?.end?.by, 'a');
    assert.deepEqual(t.hop(A, M), ['INVITE', 'ACK', 'BYE']);
    assert.deepEqual(t.hop(M, A), ['100 INVITE', '180 INVITE', '200 INVITE', '200 BYE']);
    assert.deepEqual(t.hop(M, B), ['INVITE', 'ACK', 'BYE']);
    assert.deepEqual(t.hop(B, M), ['100 INVITE', '180 INVITE', '200 INVITE', '200 BYE']);
    assert.equal(t.m.sessionCount, 0);
    assert.equal(t.b2bua.calls.size, 0);
  });

  test('BYE from the callee reaches the caller', async () => {
    const t = triangle();
    t.w.b.on('invite', (s) => {
      t.bob.session = s;
      s.accept(ANSWER);
    });
    const alice = t.call();
    const aliceEnds = ends(alice);
    await pump(t, 500);
    assert.equal(alice.state, 'confirmed');
    t.bob.session?.bye();
    await pump(t, 500);
    assert.deepEqual(aliceEnds, [{ reason: 'bye', by: 'remote' }]);
    assert.equal(t.calls[0]?.end?.by, 'b');
    assert.deepEqual(t.hop(M, A).slice(-1), ['BYE']);
  });

  test('CANCEL while ringing: 487 to the caller, CANCEL to the callee', async () => {
    const t = triangle();
    const bobEnds: SessionEnd[] = [];
    t.w.b.on('invite', (s) => {
      s.once('ended', (e) => bobEnds.push(e));
      s.ring();
    });
    const alice = t.call();
    const aliceEnds = ends(alice);
    alice.on('ringing', () => alice.cancel());
    await pump(t, 1000);
    assert.deepEqual(aliceEnds, [{ reason: 'cancelled', by: 'local', status: 487 }]);
    assert.deepEqual(bobEnds, [{ reason: 'cancelled', by: 'remote', status: 487 }]);
    assert.deepEqual(t.hop(M, A), ['100 INVITE', '180 INVITE', '200 CANCEL', '487 INVITE']);
    assert.deepEqual(t.hop(M, B), ['INVITE', 'CANCEL', 'ACK']);
    assert.equal(t.calls[0]?.end?.by, 'a');
  });

  test('a reject on leg B is relayed; a 407 there becomes 403', async () => {
    for (const [bobStatus, aliceStatus] of [
      [486, 486],
      [603, 603],
      [407, 403],
    ]) {
      const t = triangle();
      t.w.b.on('invite', (s) => s.reject(bobStatus!));
      const alice = t.call();
      const aliceEnds = ends(alice);
      await pump(t, 500);
      assert.deepEqual(aliceEnds, [{ reason: 'rejected', by: 'remote', status: aliceStatus }]);
      assert.deepEqual(t.calls[0]?.end?.status, aliceStatus);
    }
  });

  test('route() refusing, or throwing, answers the caller without leg B', async () => {
    for (const [route, status] of [
      [() => ({ status: 404, reason: 'Not Registered' }), 404],
      [
        () => {
          throw new Error('lookup failed');
        },
        500,
      ],
    ] as const) {
      const t = triangle({ route });
      const alice = t.call();
      const aliceEnds = ends(alice);
      await pump(t, 500);
      assert.deepEqual(aliceEnds, [{ reason: 'rejected', by: 'remote', status }]);
      assert.deepEqual(t.hop(M, B), []);
      assert.deepEqual(t.calls[0]?.end, { by: 'local', status });
    }
  });

  test('hold from the caller and resume from the callee cross as re-INVITEs', async () => {
    const t = triangle();
    const bobOffers: Array<string | undefined> = [];
    t.w.b.on('invite', (s) => {
      t.bob.session = s;
      s.on('reinvite', (o) => {
        bobOffers.push(o.sdp);
        o.accept(ANSWER.replace('sendrecv', 'recvonly'));
      });
      s.accept(ANSWER);
    });
    const alice = t.call();
    const aliceOffers: Array<string | undefined> = [];
    alice.on('reinvite', (o) => {
      aliceOffers.push(o.sdp);
      o.accept(OFFER);
    });
    await pump(t, 500);
    const hold = alice.reinvite(OFFER.replace('sendrecv', 'sendonly'));
    await pump(t, 500);
    const held = await hold;
    assert.equal(held.status, 200);
    assert.equal(held.sdp, mark(ANSWER.replace('sendrecv', 'recvonly'), 'b-to-a'));
    assert.deepEqual(bobOffers, [mark(OFFER.replace('sendrecv', 'sendonly'), 'a-to-b')]);
    const resume = t.bob.session!.reinvite(ANSWER);
    await pump(t, 500);
    assert.equal((await resume).status, 200);
    assert.deepEqual(aliceOffers, [mark(ANSWER, 'b-to-a')]);
    assert.equal(alice.state, 'confirmed');
    assert.equal(t.bob.session?.state, 'confirmed');
  });

  test('a re-INVITE refused on the far leg is refused with the same status', async () => {
    const t = triangle();
    t.w.b.on('invite', (s) => {
      s.on('reinvite', (o) => o.reject(488));
      s.accept(ANSWER);
    });
    const alice = t.call();
    await pump(t, 500);
    const r = alice.reinvite(OFFER);
    await pump(t, 500);
    assert.equal((await r).status, 488);
    assert.equal(alice.state, 'confirmed');
  });

  test('INFO crosses in both directions', async () => {
    const t = triangle();
    const atBob: string[] = [];
    t.w.b.on('invite', (s) => {
      t.bob.session = s;
      s.on('info', (i) => atBob.push(i.body));
      s.accept(ANSWER);
    });
    const alice = t.call();
    const atAlice: string[] = [];
    alice.on('info', (i) => atAlice.push(`${i.contentType}:${i.body}`));
    await pump(t, 500);
    await Promise.all([
      alice.info('application/dtmf-relay', 'Signal=5\r\nDuration=160\r\n'),
      t.bob.session!.info('application/dtmf-relay', 'Signal=#\r\n'),
      pump(t, 500),
    ]);
    assert.deepEqual(atBob, ['Signal=5\r\nDuration=160\r\n']);
    assert.deepEqual(atAlice, ['application/dtmf-relay:Signal=#\r\n']);
  });

  test('an async route and a callee ringing too long: 408 to the caller, CANCEL to it', async () => {
    const t = triangle({
      route: () => new Promise((resolve) => setImmediate(() => resolve({ uri: BOB }))),
      ringTimeoutMs: 30_000,
    });
    const bobEnds: SessionEnd[] = [];
    t.w.b.on('invite', (s) => {
      s.once('ended', (e) => bobEnds.push(e));
      s.ring();
    });
    const alice = t.call();
    const aliceEnds = ends(alice);
    await pump(t, 29_000);
    assert.deepEqual(aliceEnds, []);
    await pump(t, 2_000);
    assert.deepEqual(aliceEnds, [{ reason: 'rejected', by: 'remote', status: 408 }]);
    assert.deepEqual(bobEnds, [{ reason: 'cancelled', by: 'remote', status: 487 }]);
    assert.deepEqual(t.calls[0]?.end, { by: 'local', status: 408 });
  });

  test('delayed offer: the callee offers in its 200, the answer comes in the ACKs (§13.2.1)', async () => {
    const t = triangle();
    t.w.b.on('invite', (s) => {
      t.bob.session = s;
      assert.equal(s.offer, undefined);
      s.accept(ANSWER); // bob's SDP is the offer here
    });
    const alice = t.w.a.invite({ uri: `sip:bob@${M.address}:${M.port}`, deferAck: true });
    let offerAtAlice: string | undefined;
    alice.on('answered', (sdp) => {
      offerAtAlice = sdp;
      alice.ackWith(OFFER); // alice's answer
    });
    await pump(t, 1000);
    assert.equal(offerAtAlice, mark(ANSWER, 'b-to-a'));
    assert.equal(alice.state, 'confirmed');
    assert.equal(t.bob.session?.state, 'confirmed');
    assert.equal(t.bob.session?.remoteSdp, mark(OFFER, 'a-to-b'));
    const acks = t.w.wire
      .map((r) => r.message)
      .filter((m) => m.kind === 'request' && m.method === 'ACK');
    assert.equal(acks.length, 2);
    for (const ack of acks) assert.equal(ack.contentType, 'application/sdp');
  });

  test('an ACK held for the answer still precedes a BYE', async () => {
    const t = triangle();
    t.w.b.on('invite', (s) => {
      t.bob.session = s;
      s.accept(ANSWER);
    });
    const alice = t.w.a.invite({ uri: `sip:bob@${M.address}:${M.port}`, deferAck: true });
    alice.on('answered', () => alice.bye()); // never answers the offer
    await pump(t, 1000);
    assert.equal(alice.end?.reason, 'bye');
    const hop = t.hop(A, M);
    assert.deepEqual(hop, ['INVITE', 'ACK', 'BYE']);
    await pump(t, 1000);
    assert.equal(t.bob.session?.state, 'terminated');
  });
});
