import assert from 'node:assert/strict';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { bindUdpSocket } from '../src/port/bind-udp-socket.ts';
import {
  buildAudioOffer,
  MediaEngine,
  parseRtcpCompound,
  parseRtpPacket,
  type RtcpPacket,
  readAudioAnswer,
  RtpPacketView,
  RtpSession,
  SDES_ITEM,
  UdpBatch,
  udpBatchUnavailableReason,
  udpSocketFd,
} from '../src/index.ts';

const reason = udpBatchUnavailableReason();
/** Native tests skip (with the reason) when the addon is not built. */
const native = reason === undefined ? {} : { skip: `udp-batch addon not loaded: ${reason}` };

const sockets: Socket[] = [];
after(() => {
  for (const s of sockets) s.close();
});

async function socket(address = '127.0.0.1'): Promise<Socket> {
  const s = await bindUdpSocket(address, 0);
  sockets.push(s);
  return s;
}

/** The next `count` datagrams on `s`, with their sources. */
function receive(s: Socket, count: number): Promise<{ msg: Buffer; from: RemoteInfo }[]> {
  const got: { msg: Buffer; from: RemoteInfo }[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`got ${got.length}/${count}`)), 2000);
    const on = (msg: Buffer, from: RemoteInfo) => {
      got.push({ msg, from });
      if (got.length === count) {
        clearTimeout(timer);
        s.off('message', on);
        resolve(got);
      }
    };
    s.on('message', on);
  });
}

const noOwner = { onSendFailed: () => {} };

describe('UdpBatch (native addon)', () => {
  test('a bound dgram socket has an fd, read without the deprecated _handle', async () => {
    const s = await socket();
    assert.ok(udpSocketFd(s) >= 0);
    const unbound = createSocket('udp4');
    assert.equal(udpSocketFd(unbound), -1);
    unbound.close();
  });

  test('one flush sends every stream from its own socket to its destination', native, async () => {
    const batch = UdpBatch.create()!;
    const rx = await socket();
    const senders = [await socket(), await socket(), await socket()];
    const slots = senders.map((s) => batch.register(s, '127.0.0.1', rx.address().port, noOwner));
    assert.ok(slots.every((slot) => slot >= 0));
    const arriving = receive(rx, 3);
    batch.begin();
    assert.equal(batch.collecting, true);
    for (const [i, slot] of slots.entries()) batch.add(slot, Buffer.from(`packet ${i}`), 8);
    assert.equal(batch.pending, 3);
    batch.flush();
    assert.equal(batch.collecting, false);
    assert.equal(batch.pending, 0);
    const got = await arriving;
    const byText = new Map(got.map((g) => [g.msg.toString(), g.from.port]));
    for (const [i, s] of senders.entries()) {
      assert.equal(byText.get(`packet ${i}`), s.address().port);
    }
    assert.deepEqual(batch.stats, { sent: 3, failed: 0, flushes: 1 });
  });

  test('IPv6 sockets, and IPv4 destinations on them (v4-mapped)', native, async (t) => {
    let rx6: Socket;
    try {
      rx6 = await socket('::1');
    } catch {
      t.skip('no IPv6 loopback');
      return;
    }
    const batch = UdpBatch.create()!;
    const tx6 = await socket('::');
    const rx4 = await socket('127.0.0.1');
    const to6 = batch.register(tx6, '::1', rx6.address().port, noOwner);
    assert.ok(to6 >= 0);
    const arriving6 = receive(rx6, 1);
    batch.begin();
    batch.add(to6, Buffer.from('six'), 3);
    batch.flush();
    assert.equal((await arriving6)[0]!.msg.toString(), 'six');
    assert.ok(batch.update(to6, tx6, '127.0.0.1', rx4.address().port));
    const arriving4 = receive(rx4, 1);
    batch.begin();
    batch.add(to6, Buffer.from('four'), 4);
    batch.flush();
    assert.equal((await arriving4)[0]!.msg.toString(), 'four');
  });

  test('host names and mismatched families are refused (dgram path then)', native, async () => {
    const batch = UdpBatch.create()!;
    const s = await socket();
    assert.equal(batch.register(s, 'localhost', 9, noOwner), -1);
    assert.equal(batch.register(s, '::1', 9, noOwner), -1);
    const slot = batch.register(s, '127.0.0.1', 9, noOwner);
    assert.ok(slot >= 0);
    assert.equal(batch.update(slot, s, 'example.invalid', 9), false); // slot released
  });

  test('a refused datagram is counted on its owner, never thrown', native, async () => {
    const batch = UdpBatch.create()!;
    const rx = await socket();
    const failures: number[] = [];
    const bad = batch.register(await socket(), '127.0.0.1', 0, {
      onSendFailed: (errno) => failures.push(errno),
    });
    const good = batch.register(await socket(), '127.0.0.1', rx.address().port, noOwner);
    const arriving = receive(rx, 1);
    batch.begin();
    batch.add(bad, Buffer.from('x'), 1); // Linux refuses UDP to port 0 (EINVAL)
    batch.add(good, Buffer.from('y'), 1);
    batch.flush();
    assert.equal((await arriving)[0]!.msg.toString(), 'y');
    assert.equal(failures.length, 1);
    assert.deepEqual(batch.stats, { sent: 1, failed: 1, flushes: 1 });
  });

  test(
    'a released slot sends nothing, even from the open batch; slots are reused',
    native,
    async () => {
      const batch = UdpBatch.create()!;
      const rx = await socket();
      const failures: number[] = [];
      const owner = { onSendFailed: (e: number) => failures.push(e) };
      const a = batch.register(await socket(), '127.0.0.1', rx.address().port, owner);
      const b = batch.register(await socket(), '127.0.0.1', rx.address().port, owner);
      const arriving = receive(rx, 1);
      batch.begin();
      batch.add(a, Buffer.from('a'), 1);
      batch.add(b, Buffer.from('b'), 1);
      batch.release(a);
      batch.flush();
      assert.equal((await arriving)[0]!.msg.toString(), 'b');
      assert.deepEqual(failures, []); // nobody to tell about the dropped one
      assert.equal(batch.stats.failed, 0); // dropped on purpose, not refused by the kernel
      assert.equal(batch.register(await socket(), '127.0.0.1', 9, owner), a);
    },
  );

  test('grows past its initial table and buffer sizes', native, async () => {
    const batch = UdpBatch.create()!;
    const rx = await socket();
    rx.setRecvBufferSize(1 << 20);
    const n = 100;
    const slots: number[] = [];
    for (let i = 0; i < n; i++) {
      slots.push(batch.register(await socket(), '127.0.0.1', rx.address().port, noOwner));
    }
    const arriving = receive(rx, n);
    batch.begin();
    const packet = Buffer.alloc(1000, 7);
    for (const slot of slots) batch.add(slot, packet, packet.length);
    batch.flush();
    assert.equal((await arriving).length, n);
  });
});

describe('RtpSession over a UdpBatch', () => {
  test(
    'batched inside begin/flush, dgram outside; stats count both; latching follows',
    native,
    async () => {
      const batch = UdpBatch.create()!;
      const peer = await RtpSession.open({
        localAddress: '127.0.0.1',
        remoteAddress: '127.0.0.1',
        remotePort: 9,
        codec: 'PCMU',
      });
      const session = await RtpSession.open({
        localAddress: '127.0.0.1',
        remoteAddress: '127.0.0.1',
        remotePort: peer.localPort,
        codec: 'PCMU',
        batch,
      });
      try {
        assert.equal(session.batched, true);
        const frame = new Uint8Array(160).fill(0xff);
        const payloads: number[] = [];
        peer.on('payload', (_d, _o, length) => payloads.push(length));
        batch.begin();
        session.sendEncoded(frame);
        assert.equal(batch.pending, 1);
        batch.flush();
        session.sendEncoded(frame); // batch closed: straight through dgram
        assert.equal(batch.pending, 0);
        await waitFor(() => payloads.length === 2);
        assert.equal(session.stats.packetsSent, 2);
        assert.equal(batch.stats.sent, 1);

        // The peer's packets arrive from a new socket: the session latches there (RFC 4961
        // symmetric RTP) and the native destination follows.
        const moved = await socket();
        const view = new RtpPacketView();
        const seqs: number[] = [];
        moved.on('message', (m) => {
          if (parseRtpPacket(m, view) === 'ok') seqs.push(view.sequenceNumber);
        });
        let latched = false;
        session.once('latched', () => {
          latched = true;
        });
        const pkt = Buffer.alloc(172, 0xff);
        pkt[0] = 0x80; // V=2
        pkt[1] = 0; // PT 0 (PCMU)
        pkt.writeUInt32BE(0x1234, 8);
        moved.send(pkt, session.localPort, '127.0.0.1');
        await waitFor(() => latched);
        assert.equal(session.remoteAddress.port, moved.address().port);
        batch.begin();
        session.sendEncoded(frame);
        batch.flush();
        await waitFor(() => seqs.length === 1);
      } finally {
        session.close();
        peer.close();
      }
      assert.equal(session.batched, false); // closed: left the batch before its fd closed
    },
  );

  test(
    'a periodic RTCP report in an open batch joins it; BYE goes through dgram',
    native,
    async () => {
      const batch = UdpBatch.create()!;
      const rtcpSink = await socket();
      const session = await RtpSession.open({
        localAddress: '127.0.0.1',
        remoteAddress: '127.0.0.1',
        remotePort: 9,
        remoteRtcpPort: rtcpSink.address().port,
        codec: 'PCMU',
        cname: 'report-test',
        batch,
      });
      try {
        const arriving = receive(rtcpSink, 2);
        batch.begin();
        session.sendEncoded(new Uint8Array(160).fill(0xff));
        session.sendRtcpReport();
        assert.equal(batch.pending, 2); // the RTP packet and the report
        batch.flush();
        batch.begin();
        session.sendRtcpReport({ reason: 'bye' });
        assert.equal(batch.pending, 0);
        batch.flush();
        const [report, bye] = await arriving;
        // No RTCP socket here (port 0, no allocator): RTCP leaves from the RTP socket.
        assert.equal(report!.from.port, session.localPort);
        assert.deepEqual(parseRtcpCompound(report!.msg), [
          {
            type: 'sr',
            ssrc: session.ssrc,
            ...pick(parseRtcpCompound(report!.msg)[0]!),
            packetCount: 1,
            octetCount: 160,
            reports: [],
          },
          {
            type: 'sdes',
            chunks: [
              { ssrc: session.ssrc, items: [{ type: SDES_ITEM.CNAME, text: 'report-test' }] },
            ],
          },
        ]);
        assert.deepEqual(
          parseRtcpCompound(bye!.msg).map((p) => p.type),
          ['sr', 'sdes', 'bye'],
        );
        assert.equal(batch.stats.sent, 2);

        // A re-INVITE moves RTCP elsewhere: the report's native destination follows.
        const moved = await socket();
        const movedArriving = receive(moved, 1);
        session.relatch({ address: '127.0.0.1', port: 9, rtcpPort: moved.address().port });
        batch.begin();
        session.sendRtcpReport();
        assert.equal(batch.pending, 1);
        batch.flush();
        const [again] = await movedArriving;
        assert.deepEqual(
          parseRtcpCompound(again!.msg).map((p) => p.type),
          ['sr', 'sdes'],
        );
      } finally {
        session.close();
      }
    },
  );
});

/** The time-dependent SR fields, to compare the rest. */
function pick(p: RtcpPacket) {
  assert.equal(p.type, 'sr');
  return p.type === 'sr'
    ? { ntpSeconds: p.ntpSeconds, ntpFraction: p.ntpFraction, rtpTimestamp: p.rtpTimestamp }
    : {};
}

describe('media engine send path', () => {
  let dir: string | undefined;
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function playAndCount(disableNative: boolean) {
    dir ??= await mkdtemp(join(tmpdir(), 'uketsuke-batch-'));
    const saved = process.env.UKETSUKE_MEDIA_NATIVE;
    if (disableNative) process.env.UKETSUKE_MEDIA_NATIVE = '0';
    let engine: MediaEngine;
    try {
      engine = await MediaEngine.start({ workers: 1, promptDir: dir, prepare: false });
    } finally {
      if (saved === undefined) delete process.env.UKETSUKE_MEDIA_NATIVE;
      else process.env.UKETSUKE_MEDIA_NATIVE = saved;
    }
    const caller = await RtpSession.open({
      localAddress: '127.0.0.1',
      remoteAddress: '127.0.0.1',
      remotePort: 9,
      codec: 'PCMU',
    });
    try {
      const local = { address: '127.0.0.1', port: caller.localPort, codecs: ['PCMU' as const] };
      const ep = await engine.createEndpoint({ remoteSdpOffer: buildAudioOffer(local) });
      const answer = readAudioAnswer(ep.localSdp, local);
      assert.ok(answer.ok);
      let received = 0;
      caller.on('payload', () => received++);
      void engine.play(ep.id, 'hold_music');
      await waitFor(() => received >= 10);
      const stats = await engine.stats(ep.id);
      assert.ok(stats.packetsSent >= 10);
      const [clock] = await engine.clockStats();
      await engine.destroy(ep.id);
      return clock!;
    } finally {
      caller.close();
      await engine.close();
    }
  }

  test('uses the native batch when the addon is built', native, async () => {
    const clock = await playAndCount(false);
    assert.equal(clock.sendPath, 'native-batch');
    assert.equal(clock.batchSendFailures, 0);
  });

  test('falls back to node:dgram without it (UKETSUKE_MEDIA_NATIVE=0)', async () => {
    const clock = await playAndCount(true);
    assert.equal(clock.sendPath, 'dgram');
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(condition(), 'condition not reached in 2 s');
}
