/**
 * RFC 3262 reliable provisional responses between two endpoints on the loopback network
 * and virtual time: Require: 100rel + RSeq on the 1xx, PRACK with a matching RAck from the
 * caller, resends at T1, 2*T1, … until the PRACK, 5xx after 64*T1 without one, 481 for a
 * PRACK naming nothing outstanding, one unacknowledged reliable 1xx at a time.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { IncomingInviteSession, SessionEnd, SipRequest, SipResponse } from '../src/index.ts';
import { ANSWER, B, endpointPair, OFFER } from './support/endpoint-pair.ts';

const URI = `sip:bob@${B.address}:${B.port}`;

function requests(w: ReturnType<typeof endpointPair>, method: string): SipRequest[] {
  return w.wire
    .map((r) => r.message)
    .filter((m): m is SipRequest => m.kind === 'request' && m.method === method);
}

function responses(w: ReturnType<typeof endpointPair>, status: number): SipResponse[] {
  return w.wire
    .map((r) => r.message)
    .filter((m): m is SipResponse => m.kind === 'response' && m.status === status);
}

describe('PRACK / 100rel (RFC 3262)', () => {
  test('a reliable 180 is PRACKed, then the call is answered', () => {
    const w = endpointPair();
    let incoming: IncomingInviteSession | undefined;
    const pracks: SipRequest[] = [];
    w.b.on('invite', (s) => {
      incoming = s;
      assert.equal(s.reliableProvisionalsSupported, true);
      s.on('prack', (p) => {
        pracks.push(p);
        s.accept(ANSWER);
      });
      s.ring({ reliable: true });
    });
    const call = w.a.invite({ uri: URI, sdp: OFFER });
    let ringing = 0;
    call.on('ringing', () => ringing++);
    w.clock.advance(1000);
    assert.equal(call.state, 'confirmed');
    assert.equal(incoming?.state, 'confirmed');
    assert.equal(ringing, 1);
    assert.equal(pracks.length, 1);
    assert.deepEqual(w.summary(), [
      'INVITE',
      '100 INVITE',
      '180 INVITE',
      'PRACK',
      '200 PRACK',
      '200 INVITE',
      'ACK',
    ]);
    const invite = requests(w, 'INVITE')[0]!;
    assert.match(invite.headers.get('supported') ?? '', /100rel/);
    const ringingResponse = responses(w, 180)[0]!;
    assert.equal(ringingResponse.headers.get('require'), '100rel');
    const rseq = Number(ringingResponse.headers.get('rseq'));
    assert.ok(rseq >= 1 && rseq < 2 ** 31);
    const prack = requests(w, 'PRACK')[0]!;
    assert.equal(prack.headers.get('rack'), `${rseq} ${invite.cseq.seq} INVITE`);
    assert.equal(prack.cseq.seq, invite.cseq.seq + 1);
    assert.equal(prack.callId, invite.callId);
    // The BYE after the PRACK continues the CSeq space (§12.2.1.1).
    call.bye();
    w.clock.advance(100);
    assert.equal(requests(w, 'BYE')[0]?.cseq.seq, prack.cseq.seq + 1);
  });

  test('without PRACK the 180 is resent at T1, 2*T1, … and the INVITE gets 504 at 64*T1', () => {
    const w = endpointPair({ faults: { dropIf: (d) => d.toString().startsWith('PRACK') } });
    const resentAt: number[] = [];
    let calleeEnd: SessionEnd | undefined;
    w.b.on('invite', (s) => {
      s.once('ended', (e) => {
        calleeEnd = e;
      });
      s.ring({ reliable: true });
    });
    const start = w.clock.now();
    const call = w.a.invite({ uri: URI, sdp: OFFER });
    let callEnd: SessionEnd | undefined;
    call.once('ended', (e) => {
      callEnd = e;
    });
    let seen = 0;
    for (let t = 0; t < 40_000; t += 50) {
      w.clock.advance(50);
      const n = responses(w, 180).length;
      if (n > seen) {
        seen = n;
        resentAt.push(w.clock.now() - start);
      }
    }
    // First send at 0 (seen at the first 50 ms step), then T1 = 500 ms doubling.
    assert.deepEqual(resentAt, [50, 500, 1500, 3500, 7500, 15500, 31500]);
    assert.deepEqual(calleeEnd, { reason: 'rejected', by: 'local', status: 504 });
    assert.deepEqual(callEnd, { reason: 'rejected', by: 'remote', status: 504 });
    // The caller PRACKed once; the PRACK transaction, not new PRACKs, covered the resends.
    const cseqs = new Set(requests(w, 'PRACK').map((p) => p.cseq.seq));
    assert.equal(cseqs.size, 1);
  });

  test('a resent 180 (same RSeq) is neither PRACKed again nor reported twice', () => {
    let dropped = false;
    const w = endpointPair({
      faults: {
        dropIf: (d) => {
          if (!dropped && d.toString().startsWith('PRACK')) {
            dropped = true;
            return true;
          }
          return false;
        },
      },
    });
    let pracked = 0;
    w.b.on('invite', (s) => {
      s.on('prack', () => pracked++);
      s.ring({ reliable: true });
    });
    const call = w.a.invite({ uri: URI, sdp: OFFER });
    let ringing = 0;
    call.on('ringing', () => ringing++);
    w.clock.advance(3000);
    assert.ok(responses(w, 180).length >= 2);
    assert.equal(ringing, 1);
    assert.equal(pracked, 1);
    assert.equal(new Set(requests(w, 'PRACK').map((p) => p.cseq.seq)).size, 1);
    call.cancel();
    w.clock.advance(1000);
    assert.equal(call.end?.reason, 'cancelled');
  });

  test('Require: 100rel makes every 1xx reliable; a second one waits for the first PRACK', () => {
    const w = endpointPair({ faults: {} });
    let incoming: IncomingInviteSession | undefined;
    w.b.on('invite', (s) => {
      incoming = s;
      assert.equal(s.reliableProvisionalsRequired, true);
      s.ring();
      s.ring({ status: 183, sdp: ANSWER });
    });
    const call = w.a.invite({ uri: URI, sdp: OFFER, require100rel: true });
    const early: Array<string | undefined> = [];
    call.on('ringing', (_r, sdp) => early.push(sdp));
    w.clock.advance(2000);
    assert.deepEqual(w.summary().slice(0, 7), [
      'INVITE',
      '100 INVITE',
      '180 INVITE',
      'PRACK',
      '200 PRACK',
      '183 INVITE',
      'PRACK',
    ]);
    const r180 = Number(responses(w, 180)[0]!.headers.get('rseq'));
    const r183 = Number(responses(w, 183)[0]!.headers.get('rseq'));
    assert.equal(r183, r180 + 1);
    assert.deepEqual(early, [undefined, ANSWER]);
    assert.equal(incoming?.awaitingPrack, false);
    incoming?.accept(ANSWER);
    w.clock.advance(100);
    assert.equal(call.state, 'confirmed');
  });

  test('reliable: true is ignored when the caller does not support 100rel', () => {
    const w = endpointPair();
    w.b.on('invite', (s) => {
      assert.equal(s.reliableProvisionalsSupported, false);
      s.ring({ reliable: true });
    });
    const call = w.a.invite({ uri: URI, sdp: OFFER, headers: [['Supported', 'timer']] });
    w.clock.advance(1000);
    const r = responses(w, 180)[0]!;
    assert.equal(r.headers.get('rseq'), undefined);
    assert.equal(requests(w, 'PRACK').length, 0);
    call.cancel();
    w.clock.advance(1000);
  });

  test('a PRACK that names no outstanding 1xx gets 481', () => {
    const w = endpointPair();
    w.b.on('invite', (s) => s.ring({ reliable: true }));
    const call = w.a.invite({ uri: URI, sdp: OFFER });
    w.clock.advance(200);
    const dialog = call.dialog;
    assert.ok(dialog);
    const statuses: number[] = [];
    for (const rack of ['1 1 INVITE', 'garbage']) {
      const bogus = dialog.createRequest('PRACK', {
        via: `SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-bogus-${statuses.length}`,
        headers: [['RAck', rack]],
      });
      w.a.transactions.sendRequest(bogus, w.net.channel('127.0.0.1:5060', '127.0.0.1:5070'), {
        onResponse: (r) => statuses.push(r.status),
      });
      w.clock.advance(100);
    }
    assert.deepEqual(statuses, [481, 481]);
    call.cancel();
    w.clock.advance(1000);
  });

  test('a 2xx waits for the PRACK of a reliable 183 with SDP (§3)', () => {
    const w = endpointPair({
      faults: {
        // The first PRACK is lost: the 200 must not overtake it.
        dropIf: (() => {
          let dropped = false;
          return (d: Buffer) => {
            if (!dropped && d.toString().startsWith('PRACK')) {
              dropped = true;
              return true;
            }
            return false;
          };
        })(),
      },
    });
    let incoming: IncomingInviteSession | undefined;
    w.b.on('invite', (s) => {
      incoming = s;
      s.ring({ status: 183, sdp: ANSWER, reliable: true });
      s.accept(ANSWER);
    });
    const call = w.a.invite({ uri: URI, sdp: OFFER });
    w.clock.advance(100);
    assert.equal(incoming?.state, 'early');
    assert.equal(responses(w, 200).length, 0);
    w.clock.advance(1000); // the PRACK transaction retransmits at T1
    assert.equal(call.state, 'confirmed');
    const s = w.summary();
    assert.ok(s.indexOf('200 PRACK') < s.indexOf('200 INVITE'), s.join(' '));
  });
});
