/**
 * Our SRTP transform (AES_CM_128_HMAC_SHA1_80): RFC 3711 Appendix B test vectors, then
 * interop with an independent implementation (werift's SrtpSession/SrtcpSession) both
 * ways, ROC rollover, replay and tampering.
 */
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { RtpHeader, SrtcpSession, SrtpSession } from 'werift';
import { AesCounterMode, HmacSha1 } from '../src/webrtc/aes-cm-hmac-sha1.ts';
import { deriveSrtpKey, SrtpLabel } from '../src/webrtc/srtp-key-derivation.ts';
import { SrtpReplayWindow } from '../src/webrtc/srtp-replay-window.ts';
import { SRTP_AUTH_TAG_LENGTH, SrtpTransform } from '../src/webrtc/srtp-transform.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('RFC 3711 Appendix B', () => {
  test('B.2 AES-CM keystream', () => {
    const cm = new AesCounterMode(
      hex('2B7E151628AED2A6ABF7158809CF4F3C'),
      hex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD'),
    );
    assert.equal(
      cm.keystream(0, 0, 48).toString('hex').toUpperCase(),
      'E03EAD0935C95E80E166B16DD92B4EB4' +
        'D23513162B02D0F72A43A2FE4A5F97AB' +
        '41E95B3BB0A2E8DD477901E4FCA894C0',
    );
  });

  test('B.3 key derivation', () => {
    const key = hex('E1F97A0D3E018BE0D64FA32C06DE4139');
    const salt = hex('0EC675AD498AFEEBB6960B3AABE6');
    const d = (label: number, n: number) =>
      deriveSrtpKey(key, salt, label, n).toString('hex').toUpperCase();
    assert.equal(d(SrtpLabel.rtpEncryption, 16), 'C61E7A93744F39EE10734AFE3FF7A087');
    assert.equal(d(SrtpLabel.rtpSalt, 14), '30CBBC08863D8C85D49DB34A9AE1');
    assert.equal(d(SrtpLabel.rtpAuthentication, 20), 'CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4');
  });
});

test('HMAC-SHA1 with precomputed pads equals createHmac', () => {
  for (const keyLength of [20, 64]) {
    const key = randomBytes(keyLength);
    const h = new HmacSha1(key);
    for (const n of [0, 1, 55, 64, 172, 1400]) {
      const data = randomBytes(n);
      const out = Buffer.alloc(20);
      h.sign(data, 0, n, true, 0x01020304, out, 0, 20);
      const want = createHmac('sha1', key).update(data).update(hex('01020304')).digest();
      assert.deepEqual(out, want);
      h.sign(data, 0, n, false, 0, out, 0, 20);
      assert.deepEqual(out, createHmac('sha1', key).update(data).digest());
    }
  }
});

function keys() {
  return {
    a: { key: randomBytes(16), salt: randomBytes(14) },
    b: { key: randomBytes(16), salt: randomBytes(14) },
  };
}

function weriftPair(local: { key: Buffer; salt: Buffer }, remote: { key: Buffer; salt: Buffer }) {
  const config = {
    keys: {
      localMasterKey: local.key,
      localMasterSalt: local.salt,
      remoteMasterKey: remote.key,
      remoteMasterSalt: remote.salt,
    },
    profile: 1 as const,
  };
  return { srtp: new SrtpSession(config), srtcp: new SrtcpSession(config) };
}

function rtp(seq: number, ssrc: number, payload: Buffer): Buffer {
  const h = new RtpHeader({ payloadType: 0, sequenceNumber: seq, timestamp: seq * 160, ssrc });
  return Buffer.concat([h.serialize(h.serializeSize), payload]);
}

describe('SRTP interop with werift', () => {
  test('ours → werift and werift → ours across a sequence-number wrap', () => {
    const { a, b } = keys();
    const ours = new SrtpTransform(a, b);
    const theirs = weriftPair(b, a);
    const ssrc = 0x11223344;
    for (let i = 0; i < 40; i++) {
      const seq = (65520 + i) & 0xffff; // ROC goes 0 → 1
      const payload = randomBytes(160);
      const plain = rtp(seq, ssrc, payload);
      const protectedPacket = ours.protectRtp(plain, 0, plain.length);
      assert.equal(protectedPacket.length, plain.length + SRTP_AUTH_TAG_LENGTH);
      assert.notDeepEqual(protectedPacket.subarray(12, plain.length), payload);
      assert.deepEqual(theirs.srtp.decrypt(protectedPacket), plain);

      const back = theirs.srtp.encrypt(
        payload,
        new RtpHeader({ payloadType: 0, sequenceNumber: seq, timestamp: seq * 160, ssrc: 7 }),
      );
      const n = ours.unprotectRtp(back, back.length);
      assert.equal(n, plain.length, `packet ${i}: ${ours.lastFailure}`);
      assert.deepEqual(back.subarray(12, n), payload);
    }
  });

  test('SRTCP both ways', () => {
    const { a, b } = keys();
    const ours = new SrtpTransform(a, b);
    const theirs = weriftPair(b, a);
    // A receiver report (PT 201) with one report block.
    const rr = Buffer.alloc(32);
    rr[0] = 0x81;
    rr[1] = 201;
    rr.writeUInt16BE(7, 2);
    rr.writeUInt32BE(0xaabbccdd, 4);
    randomBytes(24).copy(rr, 8);
    for (let i = 0; i < 3; i++) {
      const p = ours.protectRtcp(rr, 0, rr.length);
      assert.deepEqual(theirs.srtcp.decrypt(p), rr);
      const q = theirs.srtcp.encrypt(rr);
      const n = ours.unprotectRtcp(q, q.length);
      assert.equal(n, rr.length, ours.lastFailure);
      assert.deepEqual(q.subarray(0, n), rr);
    }
  });
});

describe('SRTP receive checks', () => {
  test('replayed and tampered packets are refused', () => {
    const { a, b } = keys();
    const sender = new SrtpTransform(a, b);
    const receiver = new SrtpTransform(b, a);
    const plain = rtp(100, 5, randomBytes(160));
    const p = sender.protectRtp(plain, 0, plain.length);
    const copy = Buffer.from(p);
    assert.equal(receiver.unprotectRtp(p, p.length), plain.length);
    assert.equal(receiver.unprotectRtp(copy, copy.length), -1);
    assert.equal(receiver.lastFailure, 'replay');

    const plain2 = rtp(101, 5, randomBytes(160));
    const t = sender.protectRtp(plain2, 0, plain2.length);
    t[40] = t[40]! ^ 1;
    assert.equal(receiver.unprotectRtp(t, t.length), -1);
    assert.equal(receiver.lastFailure, 'authentication');
    assert.equal(receiver.unprotectRtp(Buffer.alloc(8), 8), -1);
    assert.equal(receiver.lastFailure, 'malformed');
  });

  test('out-of-order packets inside the window pass, older ones do not', () => {
    const { a, b } = keys();
    const sender = new SrtpTransform(a, b);
    const receiver = new SrtpTransform(b, a);
    const packets = Array.from({ length: 300 }, (_, i) => {
      const plain = rtp(1000 + i, 9, randomBytes(20));
      return sender.protectRtp(plain, 0, plain.length);
    });
    assert.ok(receiver.unprotectRtp(packets[299]!, packets[299]!.length) > 0);
    assert.ok(receiver.unprotectRtp(packets[250]!, packets[250]!.length) > 0); // 49 behind
    assert.equal(receiver.unprotectRtp(packets[100]!, packets[100]!.length), -1); // 199 behind
    assert.equal(receiver.lastFailure, 'replay');
  });

  test('replay window bookkeeping', () => {
    const w = new SrtpReplayWindow(64);
    w.accept(1000);
    assert.equal(w.check(1000), false);
    assert.equal(w.check(999), true);
    assert.equal(w.check(937), true);
    assert.equal(w.check(936), false);
    w.accept(2000);
    assert.equal(w.check(1990), true);
    assert.equal(w.check(1000), false);
    assert.throws(() => new SrtpReplayWindow(32), RangeError);
  });
});
