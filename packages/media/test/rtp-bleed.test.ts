/**
 * RTP bleed hardening of RtpSession's symmetric RTP: who may take the stream, when a new
 * source may take it over, SSRC changes and our own SSRC coming back (RFC 3550 §8.2).
 * Real UDP sockets on loopback (127.0.0.1 and 127.0.0.2 as two hosts); time is injected,
 * so "silence" is a clock step, not a wait.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, describe, test } from 'node:test';
import {
  parseRtcpCompound,
  type RtcpPacket,
  RtpSession,
  type TransportAddress,
  writeRtpHeader,
} from '../src/index.ts';

const closers: Array<() => void> = [];
after(() => {
  for (const c of closers) c();
});

let nowMs = 1000;
const now = () => nowMs;

async function session(extra: Partial<Parameters<typeof RtpSession.open>[0]> = {}) {
  const s = await RtpSession.open({
    localAddress: '127.0.0.1',
    remoteAddress: '127.0.0.1',
    remotePort: 9, // the SDP address: nobody listens there
    codec: 'PCMU',
    telephoneEventPt: 101,
    rtcpMux: true,
    now,
    ...extra,
  });
  closers.push(() => s.close());
  return s;
}

/** A raw UDP peer that sends hand-made RTP (its own SSRC, PT, sequence numbers). */
async function peer(address = '127.0.0.1'): Promise<{
  socket: Socket;
  port: number;
  send(to: number, fields: { ssrc: number; seq: number; pt?: number; fill?: number }): void;
  received: Buffer[];
}> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, address, () => resolve());
  });
  closers.push(() => socket.close());
  const received: Buffer[] = [];
  socket.on('message', (m) => received.push(m));
  return {
    socket,
    port: socket.address().port,
    received,
    send(to, { ssrc, seq, pt = 0, fill = 0x80 }) {
      const buf = new Uint8Array(12 + 160).fill(fill);
      writeRtpHeader(buf, {
        marker: false,
        payloadType: pt,
        sequenceNumber: seq,
        timestamp: seq * 160,
        ssrc,
      });
      socket.send(buf, to, '127.0.0.1');
    },
  };
}

/** Wait (bounded) until `cond` holds; the test's own timeout is the real guard. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** Count everything the session saw: delivered packets plus discarded ones. */
function seen(s: RtpSession, delivered: () => number): number {
  return delivered() + s.discarded;
}

describe('RTP bleed: latching', () => {
  test('a second source is ignored while the latched one is alive', async () => {
    const s = await session();
    const caller = await peer();
    const attacker = await peer('127.0.0.2');
    const heard: number[] = [];
    s.on('payload', (d, o) => heard.push(d[o]!));
    const latches: TransportAddress[] = [];
    s.on('latched', (a) => latches.push(a));

    caller.send(s.localPort, { ssrc: 0x1111, seq: 1, fill: 0x11 });
    await until(() => heard.length === 1, 'first packet');
    assert.deepEqual(s.remoteAddress, { address: '127.0.0.1', port: caller.port });
    assert.equal(s.remoteSsrc, 0x1111);

    nowMs += 100; // well within the 500 ms silence window
    // Same SSRC and valid PT: it copies the caller's stream, still not allowed.
    attacker.send(s.localPort, { ssrc: 0x1111, seq: 2, fill: 0x22 });
    attacker.send(s.localPort, { ssrc: 0x2222, seq: 7, fill: 0x22 });
    caller.send(s.localPort, { ssrc: 0x1111, seq: 2, fill: 0x11 });
    await until(() => seen(s, () => heard.length) === 4, 'all four packets');
    assert.deepEqual(heard, [0x11, 0x11]);
    assert.equal(s.foreignDiscarded, 2);
    assert.deepEqual(s.remoteAddress, { address: '127.0.0.1', port: caller.port });
    assert.equal(latches.length, 1);
  });

  test('after the latched source has been silent long enough, a new source takes over', async () => {
    const s = await session({ relatchAfterSilenceMs: 300 });
    const before = await peer();
    const after = await peer('127.0.0.2');
    const latches: TransportAddress[] = [];
    s.on('latched', (a) => latches.push(a));
    let heard = 0;
    s.on('payload', () => heard++);

    before.send(s.localPort, { ssrc: 0xaaaa, seq: 10 });
    await until(() => heard === 1, 'first source');
    nowMs += 299; // silent, but not long enough
    after.send(s.localPort, { ssrc: 0xbbbb, seq: 50 });
    await until(() => s.foreignDiscarded === 1, 'early take-over refused');
    nowMs += 1; // 300 ms of silence now
    after.send(s.localPort, { ssrc: 0xbbbb, seq: 51 });
    await until(() => heard === 2, 'new source accepted');
    assert.deepEqual(latches, [
      { address: '127.0.0.1', port: before.port },
      { address: '127.0.0.2', port: after.port },
    ]);
    assert.equal(s.remoteSsrc, 0xbbbb);
    // Our packets now go to the new source; the old one is refused in turn.
    s.sendFrame(new Int16Array(160));
    await until(() => after.received.length === 1, 'RTP to the new source');
    before.send(s.localPort, { ssrc: 0xaaaa, seq: 11 });
    await until(() => s.foreignDiscarded === 2, 'old source refused');
    assert.equal(before.received.length, 0);
  });

  test('only negotiated payload types can latch', async () => {
    const s = await session();
    const stray = await peer('127.0.0.2');
    const caller = await peer();
    let heard = 0;
    s.on('payload', () => heard++);
    stray.send(s.localPort, { ssrc: 0x3333, seq: 1, pt: 18 }); // G.729: not negotiated
    stray.send(s.localPort, { ssrc: 0x3333, seq: 2, pt: 8 }); // PCMA: not negotiated
    caller.send(s.localPort, { ssrc: 0x4444, seq: 1, pt: 0 });
    await until(() => heard === 1, 'caller');
    assert.equal(s.discarded, 2);
    assert.equal(s.foreignDiscarded, 0); // dropped for their PT, before any latching
    assert.deepEqual(s.remoteAddress, { address: '127.0.0.1', port: caller.port });
  });

  test('relatch() (re-INVITE) allows an immediate new latch', async () => {
    const s = await session();
    const one = await peer();
    const two = await peer('127.0.0.2');
    let heard = 0;
    s.on('payload', () => heard++);
    one.send(s.localPort, { ssrc: 1, seq: 1 });
    await until(() => heard === 1, 'first');
    s.relatch();
    two.send(s.localPort, { ssrc: 2, seq: 1 });
    await until(() => heard === 2, 'second after relatch');
    assert.deepEqual(s.remoteAddress, { address: '127.0.0.2', port: two.port });
  });
});

describe('RTP bleed: SSRC changes (RFC 3550 §8.2)', () => {
  test('a new SSRC from the latched source is followed', async () => {
    const s = await session();
    const caller = await peer();
    let heard = 0;
    s.on('payload', () => heard++);
    caller.send(s.localPort, { ssrc: 0x5555, seq: 100 });
    await until(() => heard === 1, 'first SSRC');
    caller.send(s.localPort, { ssrc: 0x6666, seq: 7 });
    caller.send(s.localPort, { ssrc: 0x6666, seq: 8 });
    await until(() => heard === 3, 'second SSRC');
    assert.equal(s.remoteSsrc, 0x6666);
    assert.equal(s.remoteSsrcChanges, 1);
    assert.equal(s.stats.remoteSsrc, 0x6666);
    assert.equal(s.foreignDiscarded, 0);
  });

  test('our own SSRC: first a collision (BYE, new SSRC), then a loop (dropped)', async () => {
    const s = await session({ ssrc: 0x12345678 });
    const caller = await peer();
    const echo = await peer('127.0.0.2');
    let heard = 0;
    s.on('payload', () => heard++);
    caller.send(s.localPort, { ssrc: 0x7777, seq: 1 });
    await until(() => heard === 1, 'caller latched');

    echo.send(s.localPort, { ssrc: 0x12345678, seq: 1 });
    await until(() => s.ssrcCollisions === 1, 'collision');
    assert.notEqual(s.ssrc, 0x12345678);
    // RFC 3550 §8.2: an RTCP BYE for the old SSRC went to the (latched) peer.
    await until(() => caller.received.length === 1, 'BYE at the caller');
    const rtcp: RtcpPacket[] = parseRtcpCompound(caller.received[0]!);
    const bye = rtcp.find((p) => p.type === 'bye');
    assert.ok(bye && bye.type === 'bye');
    assert.deepEqual(bye.ssrcs, [0x12345678]);

    // The same address now sending our *new* SSRC: our traffic loops back, only counted.
    const newSsrc = s.ssrc;
    echo.send(s.localPort, { ssrc: newSsrc, seq: 2 });
    await until(() => s.loopedPackets === 1, 'loop');
    assert.equal(s.ssrc, newSsrc);
    assert.equal(s.ssrcCollisions, 1);
    // Outgoing RTP carries the new SSRC.
    s.sendFrame(new Int16Array(160));
    await until(() => caller.received.length === 2, 'RTP at the caller');
    assert.equal(caller.received[1]!.readUInt32BE(8), newSsrc);
    assert.equal(heard, 1);
  });
});

describe('RTP bleed: RTCP on its own socket', () => {
  test('RTCP latches only to the host RTP is latched to', async () => {
    const s = await RtpSession.open({
      localAddress: '127.0.0.1',
      localPort: 36450,
      remoteAddress: '127.0.0.1',
      remotePort: 9,
      codec: 'PCMU',
      now,
    });
    closers.push(() => s.close());
    const caller = await peer();
    const attacker = await peer('127.0.0.2');
    let heard = 0;
    s.on('payload', () => heard++);
    let reports = 0;
    s.on('rtcp', () => reports++);
    caller.send(s.localPort, { ssrc: 0x9999, seq: 1 });
    await until(() => heard === 1, 'RTP latched');
    const rr = Buffer.from([0x80, 201, 0, 1, 0, 0, 0x12, 0x34]); // empty RR
    attacker.socket.send(rr, 36451, '127.0.0.1');
    caller.socket.send(rr, 36451, '127.0.0.1');
    await until(() => reports === 1 && s.foreignDiscarded === 1, 'one RTCP accepted');
  });
});
