/**
 * REFER in an INVITE dialog (RFC 3515) between two endpoints on the loopback network:
 * the recipient reads Refer-To, accepts (202 + NOTIFY 100 Trying) and reports progress by
 * NOTIFY message/sipfrag until a final status ends the subscription; rejections; 400 for
 * a missing Refer-To; 481 for a NOTIFY matching no REFER; Refer-Sub: false (RFC 4488).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type {
  IncomingInviteSession,
  IncomingRefer,
  ReferProgress,
  SipRequest,
  SipResponse,
} from '../src/index.ts';
import { ANSWER, B, endpointPair, OFFER } from './support/endpoint-pair.ts';

const URI = `sip:bob@${B.address}:${B.port}`;

function connected() {
  const w = endpointPair();
  const box: { callee?: IncomingInviteSession } = {};
  w.b.on('invite', (s) => {
    box.callee = s;
    s.accept(ANSWER);
  });
  const caller = w.a.invite({ uri: URI, sdp: OFFER });
  w.clock.advance(100);
  assert.ok(box.callee);
  return { w, caller, callee: box.callee };
}

const notifies = (w: ReturnType<typeof endpointPair>) =>
  w.wire
    .map((r) => r.message)
    .filter((m): m is SipRequest => m.kind === 'request' && m.method === 'NOTIFY');

describe('REFER (RFC 3515)', () => {
  test('transfer: 202, NOTIFY 100, then NOTIFY 200 ends the subscription', async () => {
    const { w, caller, callee } = connected();
    let got: IncomingRefer | undefined;
    callee.on('refer', (r) => {
      got = r;
      r.accept();
    });
    const refer = caller.refer('sip:carol@127.0.0.1:5080', {
      referredBy: '<sip:alice@127.0.0.1>',
    });
    const progress: ReferProgress[] = [];
    refer.on('progress', (p) => progress.push(p));
    w.clock.advance(100);
    assert.ok(got);
    assert.equal(got.target, 'sip:carol@127.0.0.1:5080');
    assert.equal(got.referredBy, '<sip:alice@127.0.0.1>');
    assert.equal(got.subscription, true);
    assert.deepEqual(progress, [
      { status: 100, reason: 'Trying', final: false, terminated: false },
    ]);
    void got.notify(180);
    w.clock.advance(100);
    const last = got.notify(200);
    w.clock.advance(100);
    assert.equal(await last, 200);
    const outcome = await refer.settled;
    assert.deepEqual(outcome, {
      referStatus: 202,
      progress: { status: 200, reason: 'OK', final: true, terminated: true },
    });
    assert.deepEqual(
      progress.map((p) => p.status),
      [100, 180, 200],
    );
    const sent = notifies(w);
    assert.equal(sent.length, 3);
    const referSeq = w.wire
      .map((r) => r.message)
      .find((m): m is SipRequest => m.kind === 'request' && m.method === 'REFER')!.cseq.seq;
    for (const n of sent) {
      assert.equal(n.headers.get('event'), `refer;id=${referSeq}`);
      assert.equal(n.headers.get('content-type'), 'message/sipfrag;version=2.0');
    }
    assert.equal(sent[0]!.headers.get('subscription-state'), 'active;expires=60');
    assert.equal(sent[2]!.headers.get('subscription-state'), 'terminated;reason=noresource');
    assert.equal(sent[2]!.body.toString(), 'SIP/2.0 200 OK\r\n');
    // Nothing more after the final NOTIFY.
    assert.equal(await got.notify(180), undefined);
    // The call itself is untouched.
    assert.equal(caller.state, 'confirmed');
    assert.equal(callee.state, 'confirmed');
  });

  test('a failed transfer reports the failure status', async () => {
    const { w, caller, callee } = connected();
    callee.on('refer', (r) => {
      r.accept();
      w.clock.schedule(500, () => void r.notify(486));
    });
    const refer = caller.refer('sip:carol@127.0.0.1:5080');
    w.clock.advance(1000);
    assert.deepEqual(await refer.settled, {
      referStatus: 202,
      progress: { status: 486, reason: 'Busy Here', final: true, terminated: true },
    });
  });

  test('rejected REFER, no listener (603), missing Refer-To (400)', async () => {
    const { w, caller, callee } = connected();
    callee.once('refer', (r) => r.reject(403));
    const a = caller.refer('sip:carol@127.0.0.1');
    w.clock.advance(100);
    assert.deepEqual(await a.settled, { referStatus: 403 });
    const b = caller.refer('sip:carol@127.0.0.1');
    w.clock.advance(100);
    assert.deepEqual(await b.settled, { referStatus: 603 });
    callee.on('refer', () => assert.fail('a REFER without Refer-To reached the app'));
    const bad = caller.dialog!.createRequest('REFER', {
      via: 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-norefer',
    });
    const statuses: number[] = [];
    w.a.transactions.sendRequest(bad, w.net.channel('127.0.0.1:5060', '127.0.0.1:5070'), {
      onResponse: (r) => statuses.push(r.status),
    });
    w.clock.advance(100);
    assert.deepEqual(statuses, [400]);
  });

  test('Refer-Sub: false (RFC 4488): 202 with Refer-Sub: false and no NOTIFY', async () => {
    const { w, caller, callee } = connected();
    let got: IncomingRefer | undefined;
    callee.on('refer', (r) => {
      got = r;
      r.accept();
    });
    const refer = caller.refer('sip:carol@127.0.0.1', { noSubscription: true });
    w.clock.advance(100);
    assert.equal(got?.subscription, false);
    assert.deepEqual(await refer.settled, { referStatus: 202 });
    assert.equal(await got?.notify(200), undefined);
    w.clock.advance(100);
    assert.equal(notifies(w).length, 0);
    const ok = w.wire
      .map((r) => r.message)
      .find((m): m is SipResponse => m.kind === 'response' && m.cseq.method === 'REFER');
    assert.equal(ok?.status, 202);
    assert.equal(ok?.headers.get('refer-sub'), 'false');
  });

  test('a NOTIFY for no REFER gets 481; another event package 489', () => {
    const { w, caller, callee } = connected();
    const statuses: number[] = [];
    for (const event of ['refer;id=77', 'presence']) {
      const n = callee.dialog!.createRequest('NOTIFY', {
        via: `SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-n-${statuses.length}`,
        headers: [
          ['Event', event],
          ['Subscription-State', 'active'],
        ],
      });
      w.b.transactions.sendRequest(n, w.net.channel('127.0.0.1:5070', '127.0.0.1:5060'), {
        onResponse: (r) => statuses.push(r.status),
      });
      w.clock.advance(100);
    }
    assert.deepEqual(statuses, [481, 489]);
    assert.equal(caller.state, 'confirmed');
  });

  test('the call ending abandons an open REFER subscription', async () => {
    const { w, caller, callee } = connected();
    callee.on('refer', (r) => r.accept());
    const refer = caller.refer('sip:carol@127.0.0.1');
    w.clock.advance(100);
    caller.bye();
    w.clock.advance(100);
    const outcome = await refer.settled;
    assert.equal(outcome.referStatus, 202);
    assert.equal(outcome.progress?.final, false);
  });

  test('a final status with Subscription-State still active settles the outcome', async () => {
    const { w, caller, callee } = connected();
    let got: IncomingRefer | undefined;
    callee.on('refer', (r) => {
      got = r;
      r.accept();
    });
    const refer = caller.refer('sip:carol@127.0.0.1');
    w.clock.advance(100);
    assert.ok(got);
    // As linphonec 5.1 does: "SIP/2.0 480 …" in a NOTIFY that keeps the subscription active.
    const statuses: number[] = [];
    for (const [frag, state] of [
      ['SIP/2.0 480 Not Registered', 'active'],
      ['SIP/2.0 480 Not Registered', 'terminated;reason=noresource'],
      ['SIP/2.0 480 Not Registered', 'terminated;reason=noresource'],
    ]) {
      const n = callee.dialog!.createRequest('NOTIFY', {
        via: `SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-late-${statuses.length}`,
        headers: [
          ['Event', `refer;id=${refer.seq}`],
          ['Subscription-State', state!],
        ],
        body: Buffer.from(`${frag}\r\n`),
        contentType: 'message/sipfrag;version=2.0',
      });
      w.b.transactions.sendRequest(n, w.net.channel('127.0.0.1:5070', '127.0.0.1:5060'), {
        onResponse: (r) => statuses.push(r.status),
      });
      w.clock.advance(100);
    }
    assert.deepEqual(await refer.settled, {
      referStatus: 202,
      progress: { status: 480, reason: 'Not Registered', final: true, terminated: false },
    });
    // Still subscribed after the first; closed by the "terminated" one; then unknown.
    assert.deepEqual(statuses, [200, 200, 481]);
    assert.equal(refer.done, true);
  });
});
