import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  encodeCname,
  looksLikeRtcp,
  ntpFromUnixMs,
  parseRtcpCompound,
  type RtcpPacket,
  RtcpReportFields,
  RtpPacketView,
  RtpStreamStats,
  rtcpReportSize,
  SDES_ITEM,
  serializeRtcpCompound,
  writeRtcpReport,
} from '../src/index.ts';

/** One reception report block with a negative cumulative loss and high bits set. */
const block = {
  ssrc: 0x11223344,
  fractionLost: 64,
  cumulativeLost: -2,
  extendedHighestSeq: 0x0001_0005,
  jitter: 37,
  lastSr: 0x56789abc,
  delaySinceLastSr: 32768,
};

describe('RTCP compound (RFC 3550 §6)', () => {
  test('SR + SDES(CNAME) + BYE round-trip', () => {
    const packets: RtcpPacket[] = [
      {
        type: 'sr',
        ssrc: 0xcafebabe,
        ntpSeconds: 0xe0000001,
        ntpFraction: 0x80000000,
        rtpTimestamp: 160000,
        packetCount: 1000,
        octetCount: 160000,
        reports: [block],
      },
      {
        type: 'sdes',
        chunks: [
          { ssrc: 0xcafebabe, items: [{ type: SDES_ITEM.CNAME, text: 'uketsuke@127.0.0.1' }] },
        ],
      },
      { type: 'bye', ssrcs: [0xcafebabe], reason: 'hangup' },
    ];
    const bytes = serializeRtcpCompound(packets);
    assert.equal(bytes.length % 4, 0);
    assert.equal(bytes[0], 0x81); // V=2, RC=1
    assert.equal(bytes[1], 200);
    assert.equal((bytes[2]! << 8) | bytes[3]!, 12); // (28 + 24) / 4 - 1
    assert.ok(looksLikeRtcp(bytes));
    assert.deepEqual(parseRtcpCompound(bytes), packets);
  });

  test('RR golden bytes and cumulative lost sign', () => {
    const bytes = serializeRtcpCompound([{ type: 'rr', ssrc: 1, reports: [block] }]);
    assert.deepEqual(
      [...bytes],
      [
        0x81, 201, 0, 7, 0, 0, 0, 1, 0x11, 0x22, 0x33, 0x44, 64, 0xff, 0xff, 0xfe, 0, 1, 0, 5, 0, 0,
        0, 37, 0x56, 0x78, 0x9a, 0xbc, 0, 0, 0x80, 0,
      ],
    );
    const [rr] = parseRtcpCompound(bytes);
    assert.equal(rr?.type, 'rr');
    if (rr?.type === 'rr') assert.equal(rr.reports[0]?.cumulativeLost, -2);
  });

  test('SDES with several items and chunks; empty RR; unknown APP kept', () => {
    const packets: RtcpPacket[] = [
      { type: 'rr', ssrc: 9, reports: [] },
      {
        type: 'sdes',
        chunks: [
          {
            ssrc: 9,
            items: [
              { type: SDES_ITEM.CNAME, text: 'a' },
              { type: SDES_ITEM.TOOL, text: 'uketsuke' },
            ],
          },
          { ssrc: 10, items: [{ type: SDES_ITEM.CNAME, text: 'abcd' }] },
        ],
      },
      {
        type: 'unknown',
        packetType: 204,
        count: 1,
        body: new Uint8Array([0, 0, 0, 9, 65, 66, 67, 68]),
      },
      { type: 'bye', ssrcs: [9, 10] },
    ];
    assert.deepEqual(parseRtcpCompound(serializeRtcpCompound(packets)), packets);
  });

  test('rejects malformed compounds', () => {
    assert.throws(() => parseRtcpCompound(new Uint8Array([0x80, 201])), {
      code: 'MEDIA_RTCP_MALFORMED',
    });
    assert.throws(() => parseRtcpCompound(new Uint8Array([0x80, 201, 0, 5, 0, 0, 0, 1])), {
      code: 'MEDIA_RTCP_MALFORMED',
    });
    assert.throws(() => parseRtcpCompound(new Uint8Array([0x40, 201, 0, 1, 0, 0, 0, 1])), {
      code: 'MEDIA_RTCP_MALFORMED',
    });
    assert.throws(() => parseRtcpCompound(new Uint8Array([0x81, 201, 0, 1, 0, 0, 0, 1])), {
      code: 'MEDIA_RTCP_MALFORMED',
    });
    assert.equal(looksLikeRtcp(new Uint8Array([0x80, 0, 0, 0])), false);
  });

  test('NTP conversion', () => {
    const ntp = ntpFromUnixMs(Date.UTC(1970, 0, 1) + 500);
    assert.equal(ntp.seconds, 2208988800);
    assert.equal(ntp.fraction, 0x80000000);
  });
});

describe('periodic RTCP report written in place (rtcp-report-writer.ts)', () => {
  const cnames = ['a', 'ab', 'abc', 'abcd', 'uketsuke-1234abcd'];

  function fields(sender: boolean, hasBlock: boolean): RtcpReportFields {
    const f = new RtcpReportFields();
    Object.assign(f, {
      ssrc: 0xcafebabe,
      sender,
      ntpSeconds: 0xe0000001,
      ntpFraction: 0x80000001,
      rtpTimestamp: 0xfffffff0,
      packetCount: 1000,
      octetCount: 160000,
      hasBlock,
    });
    Object.assign(f.block, block);
    return f;
  }

  function asPackets(f: RtcpReportFields, cname: string): RtcpPacket[] {
    const reports = f.hasBlock ? [{ ...f.block }] : [];
    return [
      f.sender
        ? {
            type: 'sr',
            ssrc: f.ssrc,
            ntpSeconds: f.ntpSeconds,
            ntpFraction: f.ntpFraction,
            rtpTimestamp: f.rtpTimestamp,
            packetCount: f.packetCount,
            octetCount: f.octetCount,
            reports,
          }
        : { type: 'rr', ssrc: f.ssrc, reports },
      { type: 'sdes', chunks: [{ ssrc: f.ssrc, items: [{ type: SDES_ITEM.CNAME, text: cname }] }] },
    ];
  }

  test('the same bytes as serializeRtcpCompound, at an offset in a dirty buffer', () => {
    for (const sender of [true, false]) {
      for (const hasBlock of [true, false]) {
        for (const cname of cnames) {
          const f = fields(sender, hasBlock);
          const text = encodeCname(cname);
          const expected = serializeRtcpCompound(asPackets(f, cname));
          const out = new Uint8Array(256).fill(0xee);
          const size = writeRtcpReport(out, 12, f, text);
          assert.equal(size, expected.length);
          assert.equal(rtcpReportSize(f, text), size);
          assert.deepEqual([...out.subarray(12, 12 + size)], [...expected]);
          assert.equal(out[11], 0xee);
          assert.equal(out[12 + size], 0xee);
        }
      }
    }
  });

  test('refuses a CNAME over 255 bytes and a buffer too small', () => {
    assert.throws(() => encodeCname('x'.repeat(256)), { code: 'MEDIA_INVALID_ARGUMENT' });
    const f = fields(true, true);
    assert.throws(() => writeRtcpReport(new Uint8Array(40), 0, f, encodeCname('a')), {
      code: 'MEDIA_BUFFER_TOO_SMALL',
    });
  });

  test('RtpStreamStats.fillReport carries what senderInfo and buildReportBlock do', () => {
    let now = 0;
    const wall = Date.UTC(2026, 0, 1) + 123.456;
    const make = () => {
      const stats = new RtpStreamStats({ now: () => now, wallClockMs: () => wall });
      const view = new RtpPacketView();
      view.ssrc = 42;
      view.payloadLength = 160;
      for (let i = 0; i < 30; i++) {
        if (i === 7) continue;
        view.sequenceNumber = 65530 + i;
        view.timestamp = 5000 + i * 160;
        now = i * 21;
        stats.onReceive(view);
        stats.onSend(160);
      }
      return stats;
    };
    const a = make();
    const b = make();
    const f = new RtcpReportFields();
    a.fillReport(f, 7, 0x1_0000_0005); // RTP timestamps are 32-bit
    const info = b.senderInfo(7, 0x1_0000_0005);
    const block = b.buildReportBlock();
    assert.ok(block);
    assert.equal(f.sender, true);
    assert.equal(f.hasBlock, true);
    assert.deepEqual(
      {
        ssrc: f.ssrc,
        ntpSeconds: f.ntpSeconds,
        ntpFraction: f.ntpFraction,
        rtpTimestamp: f.rtpTimestamp,
        packetCount: f.packetCount,
        octetCount: f.octetCount,
      },
      {
        ssrc: info.ssrc,
        ntpSeconds: info.ntpSeconds,
        ntpFraction: info.ntpFraction,
        rtpTimestamp: info.rtpTimestamp,
        packetCount: info.packetCount,
        octetCount: info.octetCount,
      },
    );
    assert.equal(f.rtpTimestamp, 5);
    assert.deepEqual({ ...f.block }, block);
    // Both took the interval's loss: the next interval starts clean.
    a.fillReport(f, 7, 0);
    assert.equal(f.block.fractionLost, 0);
    // Nothing received, nothing sent: an RR without a block.
    const idle = new RtpStreamStats({ now: () => 0 });
    idle.fillReport(f, 9, 0);
    assert.equal(f.sender, false);
    assert.equal(f.hasBlock, false);
  });
});
