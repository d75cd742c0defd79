/**
 * UA cores (SipEndpoint, incoming and outgoing INVITE sessions) talking over the in-memory
 * loopback network on virtual time: call setup, CANCEL, rejects, BYE from either side,
 * re-INVITE and glare, INFO, the 2xx retransmission/ACK timeout, and a lossy network.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type IncomingInviteSession,
  type SessionEnd,
  type SipResponse,
  validateDatagram,
} from '../src/index.ts';
import { ANSWER, B, endpointPair, OFFER } from './support/endpoint-pair.ts';

const URI = `sip:bob@${B.address}:${B.port}`;

function ended(session: { once(e: 'ended', l: (end: SessionEnd) => void): unknown }) {
  const box: { end?: SessionEnd } = {};
  session.once('ended', (end) => {
    box.end = end;
  });
  return box;
}

describe('INVITE sessions over the loopback network', () => {
  test('ring, answer, ACK, BYE from the caller', () => {
    const w = endpointPair();
    let incoming: IncomingInviteSession | undefined;
    w.b.on('invite', (s) => {
      incoming = s;
      s.ring();
      w.clock.schedule(1000, () => s.accept(ANSWER));
    });
    const call = w.a.invite({ uri: URI, sdp: OFFER });
    const events: string[] = [];
    call.on('ringing', () => events.push('ringing'));
    call.on('answered', (sdp) => events.push(`answered:${sdp === ANSWER}`));
    const callEnd = ended(call);
    w.clock.advance(2000);
    assert.deepEqual(events, ['ringing', 'answered:true']);
    assert.ok(incoming);
    assert.equal(incoming.offer, OFFER);
    assert.equal(incoming.state, 'confirmed');
    assert.equal(call.state, 'confirmed');
    const calleeEnd = ended(incoming);
    call.bye();
    w.clock.advance(1000);
    assert.deepEqual(callEnd.end, { reason: 'bye', by: 'local' });
    assert.deepEqual(calleeEnd.end, { reason: 'bye', by: 'remote' });
    assert.deepEqual(w.summary(), [
      'INVITE',
      '100 INVITE',
      '180 INVITE',
      '200 INVITE',
      'ACK',
      'BYE',
      '200 BYE',
    ]);
    assert.equal(w.a.sessionCount, 0);
    assert.equal(w.b.sessionCount, 0);
  });

  test('BYE from the callee', () => {
    const w = endpointPair();
    let incoming: IncomingInviteSession | undefined;
    w.b.on('invite', (s) => {
      incoming = s;
      s.accept(ANSWER);
    });
    const call = w.a.invite({ uri: URI, sdp: OFFER });
    const callEnd = ended(call);
    w.clock.advance(100);
    assert.ok(incoming);
    incoming.bye();
    w.clock.advance(100);
    assert.deepEqual(callEnd.end, { reason: 'bye', by: 'remote' });
    assert.deepEqual(incoming.end, { reason: 'bye', by: 'local' });
  });

  test('CANCEL while ringing: 200 for the CANCEL, 487 for the INVITE (§9)', () => {
    const w = endpointPair();
    let calleeEnd: { end?: SessionEnd } = {};
    w.b.on('invite', (s) => {
      calleeEnd = ended(s);
      s.ring();
    });
    const call = w.a.invite({ uri: URI, sdp: OFFER });
    const callEnd = ended(call);
    call.on('ringing', () => call.cancel());
    w.clock.advance(100);
    assert.deepEqual(callEnd.end, { reason: 'cancelled', by: 'local', status: 487 });
    assert.deepEqual(calleeEnd.end, { reason: 'cancelled', by: 'remote', status: 487 });
    assert.deepEqual(w.summary(), [
      'INVITE',
      '100 INVITE',
      '180 INVITE',
      'CANCEL',
      '200 CANCEL',
      '487 INVITE',
      'ACK',
    ]);
  });

  test('CANCEL before any provisional waits for one (§9.1)', () => {
    const w = endpointPair({ faults: { dropIf: (d) => d.toString().startsWith('SIP/2.0 100') } });
    w.b.on('invite', (s) => w.clock.schedule(3000, () => s.ring()));
    const call = w.a.invite({ uri: URI, sdp: OFFER });
    const callEnd = ended(call);
    call.cancel();
    w.clock.advance(10_000);
    const s = w.summary();
    assert.ok(s.indexOf('CANCEL') > s.indexOf('180 INVITE'));
    assert.deepEqual(callEnd.end, { reason: 'cancelled', by: 'local', status: 487 });
  });

  for (const status of [486, 603]) {
    test(`reject with ${status}: the transaction ACKs it`, () => {
      const w = endpointPair();
      w.b.on('invite', (s) => s.reject(status));
      const call = w.a.invite({ uri: URI, sdp: OFFER });
      const callEnd = ended(call);
      w.clock.advance(100);
      assert.deepEqual(callEnd.end, { reason: 'rejected', by: 'remote', status });
      assert.deepEqual(w.summary(), ['INVITE', '100 INVITE', `${status} INVITE`, 'ACK']);
    });
  }

  test('lost ACKs: the 2xx is retransmitted, then BYE after 64*T1 (§13.3.1.4)', () => {
    const w = endpointPair({ faults: { dropIf: (d) => d.toString().startsWith('ACK ') } });
    let calleeEnd: { end?: SessionEnd } = {};
    w.b.on('invite', (s) => {
      calleeEnd = ended(s);
      s.accept(ANSWER);
    });
    const call = w.a.invite({ uri: URI, sdp: OFFER });
    const callEnd = ended(call);
    w.clock.advance(64 * 500 + 1000);
    const oks = w.summary().filter((x) => x === '200 INVITE').length;
    // T1, 2T1, 4T1, then every T2 until 64*T1: 1 + 3 + 7 resends.
    assert.ok(oks >= 10, `2xx sent ${oks} times`);
    assert.deepEqual(calleeEnd.end, { reason: 'ack-timeout', by: 'local' });
    assert.deepEqual(callEnd.end, { reason: 'bye', by: 'remote' });
    // The caller ACKed every 2xx it saw.
    assert.equal(w.summary().filter((x) => x === 'ACK').length, oks);
  });

  test('re-INVITE hold and resume from the caller; the app answers', async () => {
    const w = endpointPair();
    let incoming: IncomingInviteSession | undefined;
    w.b.on('invite', (s) => {
      incoming = s;
      s.on('reinvite', (offer) => {
        const hold = offer.sdp?.includes('a=sendonly') ?? false;
        offer.accept(ANSWER.replace('a=sendrecv', hold ? 'a=recvonly' : 'a=sendrecv'));
      });
      s.accept(ANSWER);
    });
    const call = w.a.invite({ uri: URI, sdp: OFFER });
    w.clock.advance(100);
    const hold = call.reinvite(OFFER.replace('a=sendrecv', 'a=sendonly'));
    w.clock.advance(100);
    const held = await hold;
    assert.equal(held.status, 200);
    assert.match(held.sdp ?? '', /a=recvonly/);
    assert.match(incoming?.remoteSdp ?? '', /a=sendonly/);
    const resume = call.reinvite(OFFER);
    w.clock.advance(100);
    assert.match((await resume).sdp ?? '', /a=sendrecv/);
    assert.equal(call.state, 'confirmed');
    assert.deepEqual(w.summary().slice(4), [
      'INVITE',
      '100 INVITE',
      '200 INVITE',
      'ACK',
      'INVITE',
      '100 INVITE',
      '200 INVITE',
      'ACK',
    ]);
  });

  test('re-INVITE from the callee without a listener keeps the SDP', async () => {
    const w = endpointPair();
    let incoming: IncomingInviteSession | undefined;
    w.b.on('invite', (s) => {
      incoming = s;
      s.accept(ANSWER);
    });
    w.a.invite({ uri: URI, sdp: OFFER });
    w.clock.advance(100);
    assert.ok(incoming);
    const p = incoming.reinvite(ANSWER);
    w.clock.advance(100);
    const r = await p;
    assert.equal(r.status, 200);
    assert.equal(r.sdp, OFFER);
  });

  test('glare: crossing re-INVITEs both get 491 (§14.1)', async () => {
    const w = endpointPair({ faults: { delayMs: [10, 10] } });
    let incoming: IncomingInviteSession | undefined;
    w.b.on('invite', (s) => {
      incoming = s;
      s.accept(ANSWER);
    });
    const call = w.a.invite({ uri: URI, sdp: OFFER });
    w.clock.advance(100);
    assert.ok(incoming);
    const fromA = call.reinvite(OFFER);
    const fromB = incoming.reinvite(ANSWER);
    w.clock.advance(1000);
    assert.equal((await fromA).status, 491);
    assert.equal((await fromB).status, 491);
    assert.equal(call.state, 'confirmed');
    assert.equal(incoming.state, 'confirmed');
  });

  test('INFO (application/dtmf-relay) reaches the app and gets 200', async () => {
    const w = endpointPair();
    const infos: string[] = [];
    w.b.on('invite', (s) => {
      s.on('info', (i) => infos.push(`${i.contentType} ${i.body}`));
      s.accept(ANSWER);
    });
    const call = w.a.invite({ uri: URI, sdp: OFFER });
    w.clock.advance(100);
    const p = call.info('application/dtmf-relay', 'Signal=5\r\nDuration=160\r\n');
    w.clock.advance(100);
    assert.equal(await p, 200);
    assert.deepEqual(infos, ['application/dtmf-relay Signal=5\r\nDuration=160\r\n']);
  });

  test('no listener for invite: 480', () => {
    const w = endpointPair();
    const call = w.a.invite({ uri: URI, sdp: OFFER });
    const callEnd = ended(call);
    w.clock.advance(100);
    assert.deepEqual(callEnd.end, { reason: 'rejected', by: 'remote', status: 480 });
  });

  test('out-of-dialog OPTIONS gets 200; requests in unknown dialogs get 481', () => {
    const w = endpointPair();
    const raw = { address: '127.0.0.1', port: 5090 };
    const statuses: string[] = [];
    w.net.bind('127.0.0.1:5090', (data) => {
      const v = validateDatagram(data);
      if (v.kind === 'accept' && v.message.kind === 'response') {
        const r = v.message as SipResponse;
        statuses.push(`${r.status} ${r.cseq.method}`);
      }
    });
    const send = (method: string, toTag: string, n: number, branch = `z9hG4bK-raw-${n}`) => {
      const text = [
        `${method} ${URI} SIP/2.0`,
        `Via: SIP/2.0/UDP ${raw.address}:${raw.port};branch=${branch}`,
        'Max-Forwards: 70',
        `To: <${URI}>${toTag}`,
        `From: <sip:raw@${raw.address}:${raw.port}>;tag=r${n}`,
        `Call-ID: raw-${n}@127.0.0.1`,
        `CSeq: 1 ${method}`,
        `Contact: <sip:raw@${raw.address}:${raw.port}>`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      w.net.sendBytes('127.0.0.1:5090', '127.0.0.1:5070', Buffer.from(text));
    };
    send('OPTIONS', '', 1);
    send('BYE', ';tag=nope', 2);
    send('INFO', ';tag=nope', 3);
    send('INVITE', ';tag=nope', 4);
    send('CANCEL', '', 5);
    w.clock.advance(100);
    assert.deepEqual(statuses, [
      '200 OPTIONS',
      '481 BYE',
      '481 INFO',
      '100 INVITE',
      '481 INVITE',
      '481 CANCEL',
    ]);
    // §8.2.2.2: the same request again by another path (new branch) is merged: 482.
    statuses.length = 0;
    send('OPTIONS', '', 1, 'z9hG4bK-other-path');
    w.clock.advance(100);
    assert.deepEqual(statuses, ['482 OPTIONS']);
  });

  test('200 calls on a network losing 20 % and duplicating 10 %: every call completes', () => {
    const w = endpointPair({ seed: 42, faults: { drop: 0.2, duplicate: 0.1, delayMs: [0, 50] } });
    const COUNT = 200;
    const outcomes = { answered: 0, callerBye: 0, calleeBye: 0, other: [] as string[] };
    w.b.on('invite', (s) => {
      s.ring();
      w.clock.schedule(200, () => s.accept(ANSWER));
      const n = Number(s.request.headers.get('x-call'));
      // Every other call the callee hangs up, possibly before the ACK got through (§15).
      if (n % 2 === 0) w.clock.schedule(3000, () => s.bye());
      s.once('ended', (end) => {
        if (end.reason === 'bye') outcomes.calleeBye++;
        else outcomes.other.push(`callee ${n} ${end.reason}`);
      });
    });
    for (let n = 0; n < COUNT; n++) {
      w.clock.schedule(n * 1000, () => {
        const call = w.a.invite({ uri: URI, sdp: OFFER, headers: [['X-Call', String(n)]] });
        call.once('answered', () => {
          outcomes.answered++;
          if (n % 2 === 1) w.clock.schedule(3000, () => call.bye());
        });
        call.once('ended', (end) => {
          if (end.reason === 'bye') outcomes.callerBye++;
          else outcomes.other.push(`caller ${n} ${end.reason}`);
        });
      });
    }
    w.clock.advance(COUNT * 1000 + 120_000);
    assert.deepEqual(outcomes.other, []);
    assert.equal(outcomes.answered, COUNT);
    assert.equal(outcomes.callerBye, COUNT);
    assert.equal(outcomes.calleeBye, COUNT);
    assert.ok(w.net.stats.dropped > 0);
    assert.equal(w.a.sessionCount + w.b.sessionCount, 0);
  });

  test('a callee BYE before the ACK waits for the ACK (§15)', () => {
    let dropped = 0;
    const w = endpointPair({
      faults: {
        // Lose the first ACK only: the 2xx is retransmitted and ACKed again.
        dropIf: (d) => d.toString().startsWith('ACK ') && dropped++ === 0,
      },
    });
    let incoming: IncomingInviteSession | undefined;
    w.b.on('invite', (s) => {
      incoming = s;
      s.accept(ANSWER);
      s.bye();
    });
    const call = w.a.invite({ uri: URI, sdp: OFFER });
    const callEnd = ended(call);
    w.clock.advance(100);
    assert.equal(incoming?.state, 'accepted');
    assert.equal(callEnd.end, undefined);
    w.clock.advance(1000);
    assert.deepEqual(incoming?.end, { reason: 'bye', by: 'local' });
    assert.deepEqual(callEnd.end, { reason: 'bye', by: 'remote' });
    const s = w.summary();
    assert.ok(s.lastIndexOf('ACK') < s.indexOf('BYE'), s.join(' '));
  });

  test('a 2xx that crosses our CANCEL is ACKed and ended with BYE (§9.1)', () => {
    const w = endpointPair({ faults: { delayMs: [5, 5] } });
    w.b.on('invite', (s) => {
      s.ring();
      // Answers while the caller's CANCEL is on its way.
      w.clock.schedule(8, () => s.accept(ANSWER));
    });
    const call = w.a.invite({ uri: URI, sdp: OFFER });
    const callEnd = ended(call);
    call.on('ringing', () => call.cancel());
    w.clock.advance(2000);
    assert.deepEqual(callEnd.end, { reason: 'cancelled', by: 'local', status: 200 });
    const s = w.summary();
    assert.ok(s.includes('CANCEL') && s.includes('200 INVITE'), s.join(' '));
    assert.ok(s.indexOf('BYE') > s.indexOf('ACK'), s.join(' '));
    assert.equal(w.b.sessionCount, 0);
  });

  test('a lost ACK for a re-INVITE 2xx: the 2xx is resent and ACKed again', async () => {
    let acks = 0;
    const w = endpointPair({
      faults: { dropIf: (d) => d.toString().startsWith('ACK ') && ++acks === 2 },
    });
    let incoming: IncomingInviteSession | undefined;
    w.b.on('invite', (s) => {
      incoming = s;
      s.accept(ANSWER);
    });
    const call = w.a.invite({ uri: URI, sdp: OFFER });
    w.clock.advance(100);
    const p = call.reinvite(OFFER.replace('a=sendrecv', 'a=sendonly'));
    w.clock.advance(64 * 500 + 1000);
    assert.equal((await p).status, 200);
    assert.equal(incoming?.state, 'confirmed');
    assert.equal(incoming?.end, undefined);
    assert.ok(w.summary().filter((x) => x === '200 INVITE').length >= 3);
  });

  test('481 to a re-INVITE ends the session as dialog-gone (§12.2.1.2)', async () => {
    const w = endpointPair({
      // The callee's BYE never arrives: we still think the call is up.
      faults: { dropIf: (d) => d.toString().startsWith('BYE ') },
    });
    let incoming: IncomingInviteSession | undefined;
    w.b.on('invite', (s) => {
      incoming = s;
      s.accept(ANSWER);
    });
    const call = w.a.invite({ uri: URI, sdp: OFFER });
    const callEnd = ended(call);
    w.clock.advance(100);
    incoming?.bye();
    w.clock.advance(100);
    assert.equal(call.state, 'confirmed');
    const p = call.reinvite(OFFER);
    w.clock.advance(100);
    assert.equal((await p).status, 481);
    assert.deepEqual(callEnd.end, { reason: 'dialog-gone', by: 'remote' });
  });

  test('BYE on an early dialog: 200 for the BYE, 487 for the INVITE (§15.1.2)', () => {
    const w = endpointPair();
    let calleeEnd: { end?: SessionEnd } = {};
    w.b.on('invite', (s) => {
      calleeEnd = ended(s);
      s.ring();
    });
    const call = w.a.invite({ uri: URI, sdp: OFFER });
    call.on('ringing', () => {
      // The stack offers cancel() for this; a BYE is what some UAs send instead.
      const dialog = call.dialog;
      assert.ok(dialog);
      const bye = dialog.createRequest('BYE', {
        via: call.request.headers.get('via')!.replace(/branch=[^;]+/, 'branch=z9hG4bK-earlybye'),
      });
      w.net.channel('127.0.0.1:5060', '127.0.0.1:5070').send(bye);
    });
    w.clock.advance(100);
    assert.deepEqual(calleeEnd.end, { reason: 'bye', by: 'remote' });
    const s = w.summary();
    assert.ok(s.includes('200 BYE') && s.includes('487 INVITE'), s.join(' '));
  });

  test('UPDATE: a bodiless refresh gets 200; an SDP offer is answered by the app (RFC 3311)', () => {
    const w = endpointPair();
    const offers: Array<string | undefined> = [];
    w.b.on('invite', (s) => {
      s.on('reinvite', (o) => {
        offers.push(o.sdp);
        o.accept(ANSWER.replace('a=sendrecv', 'a=recvonly'));
      });
      s.accept(ANSWER);
    });
    const call = w.a.invite({ uri: URI, sdp: OFFER });
    w.clock.advance(100);
    const dialog = call.dialog;
    assert.ok(dialog);
    const statuses: string[] = [];
    const update = (n: number, sdp?: string) =>
      w.a.transactions.sendRequest(
        dialog.createRequest('UPDATE', {
          via: `SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-update-${n}`,
          contact: '<sip:alice@127.0.0.1:5060>',
          ...(sdp === undefined ? {} : { body: Buffer.from(sdp), contentType: 'application/sdp' }),
        }),
        w.net.channel('127.0.0.1:5060', '127.0.0.1:5070'),
        {
          onResponse: (r) =>
            statuses.push(`${r.status} ${r.body.toString().includes('a=recvonly')}`),
        },
      );
    update(1);
    w.clock.advance(100);
    update(2, OFFER.replace('a=sendrecv', 'a=sendonly'));
    w.clock.advance(100);
    assert.deepEqual(statuses, ['200 false', '200 true']);
    assert.equal(offers.length, 1);
    assert.match(offers[0] ?? '', /a=sendonly/);
  });

  test('update() sends UPDATE: the 2xx carries the answer and nothing is ACKed (RFC 3311)', async () => {
    const w = endpointPair();
    let incoming: IncomingInviteSession | undefined;
    w.b.on('invite', (s) => {
      incoming = s;
      s.on('reinvite', (o) => o.accept(ANSWER.replace('a=sendrecv', 'a=recvonly')));
      s.accept(ANSWER);
    });
    const call = w.a.invite({ uri: URI, sdp: OFFER });
    w.clock.advance(100);
    assert.ok(incoming);
    const before = w.summary().length;
    const held = call.update(OFFER.replace('a=sendrecv', 'a=sendonly'));
    w.clock.advance(100);
    const r = await held;
    assert.equal(r.status, 200);
    assert.match(r.sdp ?? '', /a=recvonly/);
    assert.match(call.localSdp ?? '', /a=sendonly/);
    assert.match(call.remoteSdp ?? '', /a=recvonly/);
    assert.match(incoming.remoteSdp ?? '', /a=sendonly/);
    // A bodiless UPDATE from the callee: a refresh, the SDP stays as it is.
    const refreshed = incoming.update();
    w.clock.advance(100);
    assert.deepEqual(await refreshed, { status: 200 });
    assert.deepEqual(w.summary().slice(before), ['UPDATE', '200 UPDATE', 'UPDATE', '200 UPDATE']);
    const update = w.wire
      .map((x) => x.message)
      .find((m) => m.kind === 'request' && m.method === 'UPDATE');
    assert.ok(update?.kind === 'request');
    assert.ok(update.headers.get('contact'), 'UPDATE is a target refresh: it carries Contact');
    assert.equal(call.state, 'confirmed');
  });

  test('update(): an offer while a re-INVITE is pending is 491; 481 ends the session', async () => {
    let answerReinvite: ((sdp: string) => void) | undefined;
    const w = endpointPair({
      // The callee's BYE never arrives: we still think the call is up.
      faults: { dropIf: (d) => d.toString().startsWith('BYE ') },
    });
    let incoming: IncomingInviteSession | undefined;
    w.b.on('invite', (s) => {
      incoming = s;
      s.on('reinvite', (o) => {
        answerReinvite = o.accept;
      });
      s.accept(ANSWER);
    });
    const call = w.a.invite({ uri: URI, sdp: OFFER });
    w.clock.advance(100);
    assert.ok(incoming);
    const reinvite = call.reinvite(OFFER);
    w.clock.advance(50);
    // Both sides have an offer in flight: neither may send another (RFC 3311 §5.1).
    assert.deepEqual(await call.update(OFFER), { status: 491 });
    assert.deepEqual(await incoming.update(ANSWER), { status: 491 });
    answerReinvite?.(ANSWER);
    w.clock.advance(100);
    assert.equal((await reinvite).status, 200);
    // The callee hangs up but its BYE is lost: our next UPDATE gets 481 and the call is over.
    const callEnd = ended(call);
    incoming.bye();
    w.clock.advance(100);
    assert.equal(call.state, 'confirmed');
    const gone = call.update();
    w.clock.advance(100);
    assert.equal((await gone).status, 481);
    assert.deepEqual(callEnd.end, { reason: 'dialog-gone', by: 'remote' });
    await assert.rejects(call.update(), /UPDATE in state terminated/);
  });

  test('close() ends live sessions with BYE', async () => {
    const w = endpointPair();
    w.b.on('invite', (s) => s.accept(ANSWER));
    const call = w.a.invite({ uri: URI, sdp: OFFER });
    const callEnd = ended(call);
    w.clock.advance(100);
    await w.a.close();
    await w.a.close();
    assert.deepEqual(callEnd.end, { reason: 'closed', by: 'local' });
    assert.equal(w.summary().at(-1), 'BYE');
  });
});
