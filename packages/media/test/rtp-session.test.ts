import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, describe, test } from 'node:test';
import {
  answerAudioOffer,
  buildAudioOffer,
  type DtmfDigitEvent,
  JitterBuffer,
  RtpPortAllocator,
  mulawDecode,
  mulawEncode,
  type RtcpPacket,
  RtpSession,
  type TransportAddress,
} from '../src/index.ts';

const sessions: RtpSession[] = [];
after(() => {
  for (const s of sessions) s.close();
});

async function open(
  remotePort: number,
  extra: Partial<Parameters<typeof RtpSession.open>[0]> = {},
) {
  const s = await RtpSession.open({
    localAddress: '127.0.0.1',
    remoteAddress: '127.0.0.1',
    remotePort,
    codec: 'PCMU',
    telephoneEventPt: 101,
    rtcpMux: true,
    ...extra,
  });
  sessions.push(s);
  return s;
}

function tone(value: number): Int16Array {
  return new Int16Array(160).fill(value);
}

/** Resolve once `count` events arrived (no timing assertions; the runner's timeout guards). */
function collect<T>(
  session: RtpSession,
  event: 'audio' | 'dtmf' | 'rtcp',
  count: number,
  map: (x: never) => T,
): Promise<T[]> {
  const got: T[] = [];
  return new Promise((resolve) => {
    const listener = (x: never) => {
      got.push(map(x));
      if (got.length === count) {
        session.off(event, listener as never);
        resolve(got);
      }
    };
    session.on(event, listener as never);
  });
}

describe('RtpSession over loopback', () => {
  test('symmetric RTP: B latches to where A really sends from, then A hears B', async () => {
    const a = await open(0);
    // B was told (by SDP, say behind NAT) to send to a port nobody listens on.
    const b = await open(9); // discard port: packets there are lost
    a.relatch({ address: '127.0.0.1', port: b.localPort });
    const latched = once(b, 'latched') as Promise<[TransportAddress]>;
    const bHeard = collect(b, 'audio', 1, (x: Int16Array) => x[0]);
    a.sendFrame(tone(1000));
    const [where] = await latched;
    assert.deepEqual(where, { address: '127.0.0.1', port: a.localPort });
    assert.deepEqual(b.remoteAddress, where);
    assert.deepEqual(await bHeard, [mulawDecode(mulawEncode(1000))]);

    const aHeard = collect(a, 'audio', 3, (x: Int16Array) => x.length);
    b.sendFrame(tone(-500));
    b.sendFrame(tone(-500));
    b.sendEncoded(new Uint8Array(160).fill(mulawEncode(-500)));
    assert.deepEqual(await aHeard, [160, 160, 160]);
    assert.equal(a.isLatched, true);
  });

  test('RFC 4733 DTMF end to end, interleaved with audio ticks', async () => {
    const rx = await open(0);
    const tx = await open(rx.localPort);
    const digits = collect(rx, 'dtmf', 3, (d: DtmfDigitEvent) => [
      d.digit,
      d.durationMs,
      d.endedBy,
    ]);
    tx.sendDtmf('1*9');
    for (let tick = 0; tick < 60; tick++) tx.sendFrame(tone(0)); // the clock would do this
    assert.deepEqual(await digits, [
      ['1', 100, 'end-packet'],
      ['*', 100, 'end-packet'],
      ['9', 100, 'end-packet'],
    ]);
    const noDtmf = await open(rx.localPort, { telephoneEventPt: undefined });
    assert.throws(() => noDtmf.sendDtmf('1'), { code: 'MEDIA_DTMF_INVALID' });
  });

  test('relay without transcoding: payload event → sendEncoded', async () => {
    const caller = await open(0);
    const operator = await open(0);
    const legA = await open(caller.localPort); // B2BUA side facing the caller
    const legB = await open(operator.localPort); // B2BUA side facing the operator
    caller.relatch({ address: '127.0.0.1', port: legA.localPort });
    legA.on('payload', (datagram, offset, length) => legB.sendEncoded(datagram, offset, length));
    const heard = collect(operator, 'audio', 2, (x: Int16Array) => x[0]);
    caller.sendFrame(tone(1234));
    caller.sendFrame(tone(-1234));
    assert.deepEqual(await heard, [
      mulawDecode(mulawEncode(1234)),
      mulawDecode(mulawEncode(-1234)),
    ]);
  });

  test('wrong payload types are discarded and do not latch', async () => {
    const b = await open(9);
    const a = await open(b.localPort, { codec: 'PCMA' }); // PT 8, B expects 0
    const aPcmu = await open(b.localPort);
    const heard = collect(b, 'audio', 1, (x: Int16Array) => x.length);
    a.sendFrame(tone(1));
    aPcmu.sendFrame(tone(1));
    await heard;
    assert.equal(b.discarded, 1);
    assert.equal(b.remoteAddress.port, aPcmu.localPort);
  });

  test('RTCP SR/RR exchange: stats, LSR/DLSR, RTT', async () => {
    const a = await open(0);
    const b = await open(a.localPort);
    a.relatch({ address: '127.0.0.1', port: b.localPort });
    const bAudio = collect(b, 'audio', 20, () => 1);
    for (let i = 0; i < 20; i++) a.sendFrame(tone(100));
    await bAudio;
    const bRtcp = collect(b, 'rtcp', 1, (p: RtcpPacket[]) => p);
    a.sendRtcpReport();
    const [fromA] = await bRtcp;
    assert.equal(fromA?.[0]?.type, 'sr');
    assert.equal(fromA?.[1]?.type, 'sdes');
    const aRtcp = collect(a, 'rtcp', 1, (p: RtcpPacket[]) => p);
    b.sendRtcpReport({ reason: 'bye' });
    const [fromB] = await aRtcp;
    const rr = fromB?.[0];
    assert.equal(rr?.type, 'rr'); // B has not sent RTP
    if (rr?.type === 'rr') {
      assert.equal(rr.reports[0]?.ssrc, a.ssrc);
      assert.equal(rr.reports[0]?.cumulativeLost, 0);
      assert.notEqual(rr.reports[0]?.lastSr, 0);
    }
    assert.equal(fromB?.[2]?.type, 'bye');
    const snap = b.stats.snapshot();
    assert.equal(snap.packets, 20);
    assert.equal(snap.lost, 0);
    assert.ok(a.stats.snapshot().rttMs !== undefined);
    a.close();
    a.close();
    assert.throws(() => a.sendFrame(tone(0)), { code: 'MEDIA_CLOSED' });
  });
});

describe('RtpSession.attach + JitterBuffer', () => {
  test('allocate-then-answer order; received audio goes through the jitter buffer', async () => {
    const ports = new RtpPortAllocator({ min: 47200, max: 47299 });
    const callerPair = await ports.allocate('127.0.0.1');
    const offer = buildAudioOffer({ address: '127.0.0.1', port: callerPair.port, sessionId: 1 });
    const uasPair = await ports.allocate('127.0.0.1');
    const r = answerAudioOffer(offer, { address: '127.0.0.1', port: uasPair.port, sessionId: 2 });
    assert.ok(r.ok);
    const uas = RtpSession.attach(uasPair, {
      remoteAddress: r.audio.remoteAddress,
      remotePort: r.audio.remotePort,
      remoteRtcpPort: r.audio.remoteRtcpPort,
      codec: r.audio.codec,
      payloadType: r.audio.payloadType,
      telephoneEventPt: r.audio.telephoneEventPt,
    });
    const caller = RtpSession.attach(callerPair, {
      remoteAddress: '127.0.0.1',
      remotePort: uasPair.port,
      codec: 'PCMU',
      telephoneEventPt: 101,
    });
    sessions.push(uas, caller);
    const jb = new JitterBuffer({ delayMs: 20 });
    const arrived = collect(uas, 'audio', 3, (x: Int16Array) => x.length);
    uas.on('audio', (pcm, ts) => jb.put(ts, pcm));
    for (const v of [100, 200, 300]) caller.sendFrame(tone(v));
    await arrived;
    const out = new Int16Array(160);
    const played: number[] = [];
    for (let i = 0; i < 4; i++) played.push(jb.getFrame(out) ? out[0]! : 0);
    assert.deepEqual(
      played,
      [0, 100, 200, 300].map((v) => (v === 0 ? 0 : mulawDecode(mulawEncode(v)))),
    );
  });
});

describe('RtpSession on IPv6 loopback', () => {
  test('exchanges audio over ::1 (skipped where IPv6 is unavailable)', async (t) => {
    let a: RtpSession;
    try {
      a = await RtpSession.open({
        localAddress: '::1',
        remoteAddress: '::1',
        remotePort: 9,
        codec: 'PCMA',
      });
    } catch {
      t.skip('no IPv6 loopback here');
      return;
    }
    sessions.push(a);
    const b = await RtpSession.open({
      localAddress: '::1',
      remoteAddress: '::1',
      remotePort: a.localPort,
      codec: 'PCMA',
    });
    sessions.push(b);
    a.relatch({ address: '::1', port: b.localPort });
    const heard = collect(b, 'audio', 1, (x: Int16Array) => x.length);
    a.sendFrame(tone(42));
    assert.deepEqual(await heard, [160]);
    const back = collect(a, 'audio', 1, (x: Int16Array) => x.length);
    b.sendFrame(tone(42));
    assert.deepEqual(await back, [160]);
  });
});

describe('RtpSession direction (hold)', () => {
  test('sendonly does not deliver received audio; recvonly does not send', async () => {
    const a = await open(0, { direction: 'recvonly' });
    const b = await open(a.localPort, { direction: 'sendonly' });
    a.relatch({ address: '127.0.0.1', port: b.localPort });
    let bHeard = 0;
    b.on('audio', () => bHeard++);
    a.sendFrame(tone(1)); // recvonly: nothing leaves
    assert.equal(a.stats.snapshot().packetsSent, 0);
    const aHeard = collect(a, 'audio', 1, (x: Int16Array) => x.length);
    b.sendFrame(tone(1));
    assert.deepEqual(await aHeard, [160]);
    a.setDirection('sendrecv');
    b.setDirection('inactive');
    const counted = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (b.stats.snapshot().packets >= 1) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    a.sendFrame(tone(1));
    await counted; // B counted the packet (stats, latching) but did not deliver it
    assert.equal(bHeard, 0);
  });
});
