import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRtpPacket, RtpPacketView, writeRtpHeader, writeRtpPacket } from '../src/index.ts';

describe('RTP packet (RFC 3550 §5.1)', () => {
  test('golden bytes: PCMU packet with marker', () => {
    const out = new Uint8Array(172);
    const payload = new Uint8Array(160).fill(0xff);
    const n = writeRtpPacket(
      out,
      {
        marker: true,
        payloadType: 0,
        sequenceNumber: 0x1234,
        timestamp: 0xdeadbeef,
        ssrc: 0x01020304,
      },
      payload,
    );
    assert.equal(n, 172);
    assert.deepEqual(
      [...out.subarray(0, 12)],
      [0x80, 0x80, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04],
    );
    const view = new RtpPacketView();
    assert.equal(parseRtpPacket(out, view, n), 'ok');
    assert.equal(view.marker, true);
    assert.equal(view.payloadType, 0);
    assert.equal(view.sequenceNumber, 0x1234);
    assert.equal(view.timestamp, 0xdeadbeef);
    assert.equal(view.ssrc, 0x01020304);
    assert.equal(view.payloadOffset, 12);
    assert.equal(view.payloadLength, 160);
  });

  test('CSRCs, header extension and padding', () => {
    const bytes = new Uint8Array([
      0xb2,
      0x08,
      0x00,
      0x01,
      0,
      0,
      0,
      160,
      0xaa,
      0xbb,
      0xcc,
      0xdd, // V=2 P X CC=2, PT 8
      0,
      0,
      0,
      1,
      0,
      0,
      0,
      2, // CSRCs
      0xbe,
      0xde,
      0x00,
      0x01,
      0x10,
      0x2a,
      0,
      0, // one-word extension
      0xd5,
      0xd5,
      0xd5, // payload
      0,
      0,
      3, // 3 octets of padding
    ]);
    const view = new RtpPacketView();
    assert.equal(parseRtpPacket(bytes, view), 'ok');
    assert.equal(view.padding, true);
    assert.equal(view.extension, true);
    assert.equal(view.csrcCount, 2);
    assert.deepEqual([...view.csrcs.subarray(0, 2)], [1, 2]);
    assert.equal(view.extensionProfile, 0xbede);
    assert.equal(view.extensionLength, 4);
    assert.equal(view.payloadType, 8);
    assert.equal(view.payloadOffset, 28);
    assert.equal(view.payloadLength, 3);
    assert.equal(view.paddingLength, 3);
    assert.equal(view.ssrc, 0xaabbccdd);
  });

  test('rejects invalid datagrams without throwing', () => {
    const view = new RtpPacketView();
    assert.equal(parseRtpPacket(new Uint8Array(11), view), 'too-short');
    const v1 = new Uint8Array(12);
    v1[0] = 0x40;
    assert.equal(parseRtpPacket(v1, view), 'bad-version');
    const cc = new Uint8Array(12);
    cc[0] = 0x81;
    assert.equal(parseRtpPacket(cc, view), 'bad-csrc');
    const ext = new Uint8Array(14);
    ext[0] = 0x90;
    assert.equal(parseRtpPacket(ext, view), 'bad-extension');
    const pad = new Uint8Array(13);
    pad[0] = 0xa0;
    pad[12] = 9;
    assert.equal(parseRtpPacket(pad, view), 'bad-padding');
  });

  test('header written with CSRCs round-trips and payload can follow in place', () => {
    const buf = new Uint8Array(64);
    const h = writeRtpHeader(
      buf,
      {
        marker: false,
        payloadType: 101,
        sequenceNumber: 65535,
        timestamp: 1,
        ssrc: 0xffffffff,
        csrcs: [7],
      },
      4,
    );
    assert.equal(h, 16);
    const view = new RtpPacketView();
    assert.equal(parseRtpPacket(buf.subarray(4), view, h + 4), 'ok');
    assert.equal(view.payloadType, 101);
    assert.equal(view.sequenceNumber, 65535);
    assert.equal(view.ssrc, 0xffffffff);
    assert.equal(view.csrcs[0], 7);
    assert.equal(view.payloadLength, 4);
    assert.throws(
      () =>
        writeRtpHeader(new Uint8Array(8), {
          marker: false,
          payloadType: 0,
          sequenceNumber: 0,
          timestamp: 0,
          ssrc: 0,
        }),
      {
        code: 'MEDIA_BUFFER_TOO_SMALL',
      },
    );
  });
});
