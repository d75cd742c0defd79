import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ALAW_DECODE_TABLE,
  alawDecode,
  alawDecodeBuffer,
  alawEncode,
  alawEncodeBuffer,
  G711_SILENCE,
  MULAW_DECODE_TABLE,
  mulawDecode,
  mulawDecodeBuffer,
  mulawEncode,
  mulawEncodeBuffer,
  transcodeG711,
} from '../src/index.ts';

describe('G.711 µ-law', () => {
  test('reference values from the G.711 definition', () => {
    assert.equal(mulawDecode(0xff), 0);
    assert.equal(mulawDecode(0x7f), 0);
    assert.equal(mulawDecode(0x00), -32124);
    assert.equal(mulawDecode(0x80), 32124);
    assert.equal(mulawDecode(0xfe), 8);
    assert.equal(mulawDecode(0x7e), -8);
    assert.equal(mulawDecode(0xef), 132); // segment 1, step 0: ((0<<3)+132)<<1 - 132
    assert.equal(mulawEncode(0), 0xff);
    assert.equal(mulawEncode(-32124), 0x00);
    assert.equal(mulawEncode(32124), 0x80);
    assert.equal(mulawEncode(32767), 0x80); // clipped
    assert.equal(mulawEncode(-32768), 0x00);
    assert.equal(mulawEncode(-1), 0x7f); // negative zero
    assert.equal(mulawEncode(-4), 0x7f);
    assert.equal(mulawEncode(-5), 0x7e);
    assert.equal(mulawEncode(3), 0xff);
    assert.equal(mulawEncode(4), 0xfe);
    assert.equal(G711_SILENCE.PCMU, mulawEncode(0));
  });

  test('decode table is odd-symmetric and monotonic', () => {
    for (let c = 0; c < 128; c++) {
      assert.equal(MULAW_DECODE_TABLE[c]! + MULAW_DECODE_TABLE[c | 0x80]!, 0);
    }
    // Codes 0xFF→0x80 increase in magnitude.
    for (let c = 0xff; c > 0x80; c--) {
      assert.ok(MULAW_DECODE_TABLE[c - 1]! > MULAW_DECODE_TABLE[c]!);
    }
  });

  test('every codeword survives decode→encode', () => {
    for (let c = 0; c < 256; c++) {
      const expected = c === 0x7f ? 0xff : c; // negative zero re-encodes as positive zero
      assert.equal(mulawEncode(mulawDecode(c)), expected, `code ${c}`);
    }
  });

  test('round-trip error is within half a quantisation step for every int16', () => {
    for (let s = -32635; s <= 32635; s++) {
      const err = Math.abs(mulawDecode(mulawEncode(s)) - s);
      const m = (s >= 0 ? s : -s - 1) + 132;
      const exponent = Math.floor(Math.log2(m)) - 7;
      const halfStep = 1 << (exponent + 2);
      // +1: negative inputs are quantised on their one's complement (G.191 convention).
      assert.ok(err <= halfStep + (s < 0 ? 1 : 0), `sample ${s}: error ${err} > ${halfStep}`);
    }
  });

  test('buffer helpers match the scalar functions', () => {
    const pcm = Int16Array.from({ length: 160 }, (_, i) =>
      Math.round(12000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)),
    );
    const coded = new Uint8Array(160);
    mulawEncodeBuffer(pcm, coded);
    const back = new Int16Array(160);
    mulawDecodeBuffer(coded, back);
    for (let i = 0; i < 160; i++) {
      assert.equal(coded[i], mulawEncode(pcm[i]!));
      assert.equal(back[i], mulawDecode(coded[i]!));
    }
  });
});

describe('G.711 A-law', () => {
  test('reference values from the G.711 definition', () => {
    assert.equal(alawDecode(0xd5), 8);
    assert.equal(alawDecode(0x55), -8);
    assert.equal(alawDecode(0xaa), 32256);
    assert.equal(alawDecode(0x2a), -32256);
    assert.equal(alawDecode(0xc5), 264); // segment 1, step 0
    assert.equal(alawEncode(0), 0xd5);
    assert.equal(alawEncode(-1), 0x55);
    assert.equal(alawEncode(15), 0xd5);
    assert.equal(alawEncode(16), 0xd4);
    assert.equal(alawEncode(-16), 0x55);
    assert.equal(alawEncode(-17), 0x54);
    assert.equal(alawEncode(32767), 0xaa);
    assert.equal(alawEncode(-32768), 0x2a);
    assert.equal(G711_SILENCE.PCMA, alawEncode(0));
  });

  test('decode table is odd-symmetric', () => {
    for (let c = 0; c < 128; c++) {
      assert.equal(ALAW_DECODE_TABLE[c]! + ALAW_DECODE_TABLE[c | 0x80]!, 0);
    }
  });

  test('every codeword survives decode→encode', () => {
    for (let c = 0; c < 256; c++) assert.equal(alawEncode(alawDecode(c)), c, `code ${c}`);
  });

  test('round-trip error is within half a quantisation step for every int16', () => {
    for (let s = -32768; s <= 32767; s++) {
      const err = Math.abs(alawDecode(alawEncode(s)) - s);
      const m = s >= 0 ? s : -s - 1;
      const segment = m < 256 ? 0 : Math.floor(Math.log2(m)) - 7;
      const halfStep = segment === 0 ? 8 : 1 << (segment + 2);
      assert.ok(err <= halfStep + 1, `sample ${s}: error ${err} > ${halfStep}`);
    }
  });

  test('buffer helpers and transcoding', () => {
    const pcm = Int16Array.from({ length: 160 }, (_, i) =>
      Math.round(9000 * Math.sin((2 * Math.PI * 440 * i) / 8000)),
    );
    const a = new Uint8Array(160);
    alawEncodeBuffer(pcm, a);
    const back = new Int16Array(160);
    alawDecodeBuffer(a, back);
    for (let i = 0; i < 160; i++) assert.equal(back[i], alawDecode(alawEncode(pcm[i]!)));
    const u = new Uint8Array(160);
    transcodeG711('PCMA', 'PCMU', a, u);
    for (let i = 0; i < 160; i++) assert.equal(u[i], mulawEncode(alawDecode(a[i]!)));
    const same = new Uint8Array(160);
    transcodeG711('PCMA', 'PCMA', a, same);
    assert.deepEqual(same, a);
  });
});
