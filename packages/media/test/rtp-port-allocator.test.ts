import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import {
  parseRtpPortRange,
  type RtcpPacket,
  RtpPortAllocator,
  type RtpSocketPair,
  RtpSession,
} from '../src/index.ts';

/** A range of ports the OS hands out as ephemeral is unlikely to be fully busy; tolerate some. */
const RANGE = { min: 47100, max: 47109 }; // five pairs: 47100/1 … 47108/9

describe('RtpPortAllocator (RFC 3550 §11 even/odd pairs)', () => {
  test('parses UKETSUKE_RTP_PORTS', () => {
    assert.deepEqual(parseRtpPortRange('20000-29999'), { min: 20000, max: 29999 });
    assert.throws(() => parseRtpPortRange('20000'), { code: 'MEDIA_INVALID_ARGUMENT' });
    assert.throws(() => parseRtpPortRange('30000-20000'), { code: 'MEDIA_INVALID_ARGUMENT' });
    assert.throws(() => new RtpPortAllocator({ min: 40001, max: 40001 }), {
      code: 'MEDIA_INVALID_ARGUMENT',
    });
  });

  test('hands out distinct even ports with RTCP on port+1 until the range is exhausted', async () => {
    const allocator = new RtpPortAllocator(RANGE);
    const pairs: RtpSocketPair[] = [];
    try {
      for (;;) pairs.push(await allocator.allocate('127.0.0.1'));
    } catch (error) {
      assert.equal((error as { code?: string }).code, 'MEDIA_PORTS_EXHAUSTED');
    }
    try {
      assert.ok(pairs.length >= 1 && pairs.length <= 5);
      const ports = pairs.map((p) => p.port);
      assert.equal(new Set(ports).size, ports.length);
      for (const p of pairs) {
        assert.equal(p.port % 2, 0);
        assert.ok(p.port >= RANGE.min && p.port + 1 <= RANGE.max);
        assert.equal(p.rtp.address().port, p.port);
        assert.equal(p.rtcp.address().port, p.port + 1);
      }
      // Release one: it becomes available again (round-robin wraps around to it).
      const freed = pairs.shift()!;
      freed.rtp.close();
      freed.rtcp.close();
      await once(freed.rtcp, 'close');
      const again = await allocator.allocate('127.0.0.1');
      pairs.push(again);
      assert.equal(again.port, freed.port);
    } finally {
      for (const p of pairs) {
        p.rtp.close();
        p.rtcp.close();
      }
    }
  });

  test('sessions on allocated pairs exchange RTCP over the odd ports', async () => {
    const allocator = new RtpPortAllocator({ min: 47120, max: 47139 });
    const a = await RtpSession.open({
      localAddress: '127.0.0.1',
      remoteAddress: '127.0.0.1',
      remotePort: 9,
      codec: 'PCMA',
      portAllocator: allocator,
    });
    const b = await RtpSession.open({
      localAddress: '127.0.0.1',
      remoteAddress: '127.0.0.1',
      remotePort: a.localPort,
      codec: 'PCMA',
      portAllocator: allocator,
    });
    try {
      assert.equal(a.localPort % 2, 0);
      a.relatch({ address: '127.0.0.1', port: b.localPort });
      const heard = once(b, 'audio');
      a.sendFrame(new Int16Array(160));
      await heard;
      const rtcpAtB = once(b, 'rtcp') as Promise<[RtcpPacket[]]>;
      a.sendRtcpReport();
      const [packets] = await rtcpAtB;
      assert.equal(packets[0]?.type, 'sr');
      const rtcpAtA = once(a, 'rtcp') as Promise<[RtcpPacket[]]>;
      b.sendRtcpReport(); // to a.localPort + 1 (no a=rtcp, no mux)
      const [back] = await rtcpAtA;
      assert.equal(back[0]?.type, 'rr');
    } finally {
      a.close();
      b.close();
    }
  });
});
