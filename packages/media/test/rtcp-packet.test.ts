import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  looksLikeRtcp,
  ntpFromUnixMs,
  parseRtcpCompound,
  type RtcpPacket,
  SDES_ITEM,
  serializeRtcpCompound,
} from '../src/index.ts';

describe('RTCP compound (RFC 3550 §6)', () => {
  const block = {
    ssrc: 0x11223344,
    fractionLost: 64,
    cumulativeLost: -2,
    extendedHighestSeq: 0x0001_0005,
    jitter: 37,
    lastSr: 0x56789abc,
    delaySinceLastSr: 32768,
  };

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
