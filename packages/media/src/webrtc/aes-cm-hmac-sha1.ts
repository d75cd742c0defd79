/**
 * The two primitives of AES_CM_128_HMAC_SHA1_80 (RFC 3711 §4.1.1, §4.2.1), built so a
 * packet costs no cipher or HMAC object:
 *
 * - AES in counter mode: one `aes-128-ecb` cipher per key, created once with padding
 *   off, encrypts the packet's counter blocks in one `update()` call (ECB keeps no state
 *   between calls, so the object is reused for every packet); the keystream is XORed in
 *   place.
 * - HMAC-SHA1 (RFC 2104): HMAC(K, m) = H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)). The padded keys
 *   are computed once and sit at the front of two scratch buffers; each packet is two
 *   one-shot `crypto.hash('sha1', …)` calls.
 *
 * werift's SRTP (node_modules/werift/lib/rtp/src/srtp/cipher/ctr.js) calls
 * `createCipheriv('aes-128-ctr', …)` and `createHmac('sha1', …)` for every packet.
 */
import { type Cipheriv, createCipheriv, hash } from 'node:crypto';

const SHA1_BLOCK = 64;
const SHA1_LENGTH = 20;
/** Largest packet we protect or unprotect (a UDP datagram on a 1500-byte MTU). */
export const SRTP_MAX_PACKET = 1500;
const MAX_BLOCKS = Math.ceil(SRTP_MAX_PACKET / 16);

export class AesCounterMode {
  private readonly ecb: Cipheriv;
  private readonly salt: Uint8Array;
  private readonly counters = Buffer.alloc(MAX_BLOCKS * 16);

  constructor(key: Uint8Array, salt: Uint8Array) {
    if (key.length !== 16) throw new RangeError('AES-128 key must be 16 bytes');
    if (salt.length !== 14) throw new RangeError('SRTP session salt must be 14 bytes');
    this.ecb = createCipheriv('aes-128-ecb', key, null);
    this.ecb.setAutoPadding(false);
    this.salt = Uint8Array.from(salt);
  }

  /**
   * XOR the keystream for (ssrc, index) over `data[offset, offset + length)` in place.
   * RFC 3711 §4.1.1: IV = (k_s · 2^16) ⊕ (SSRC · 2^64) ⊕ (i · 2^16); block j uses IV + j.
   * `index` is the 48-bit packet index (SRTP) or the 31-bit SRTCP index.
   */
  transform(ssrc: number, index: number, data: Uint8Array, offset: number, length: number): void {
    if (length <= 0) return;
    const blocks = Math.ceil(length / 16);
    if (blocks > MAX_BLOCKS) throw new RangeError('packet too large for SRTP');
    const c = this.counters;
    const s = this.salt;
    const high = Math.floor(index / 0x1_0000_0000); // bits 47..32 of the index
    const low = index >>> 0;
    // The IV's first 14 bytes: salt ⊕ SSRC (bytes 4–7) ⊕ index (bytes 8–13).
    const iv0 = s[0]!;
    const iv1 = s[1]!;
    const iv2 = s[2]!;
    const iv3 = s[3]!;
    const iv4 = s[4]! ^ (ssrc >>> 24);
    const iv5 = s[5]! ^ ((ssrc >>> 16) & 0xff);
    const iv6 = s[6]! ^ ((ssrc >>> 8) & 0xff);
    const iv7 = s[7]! ^ (ssrc & 0xff);
    const iv8 = s[8]! ^ ((high >>> 8) & 0xff);
    const iv9 = s[9]! ^ (high & 0xff);
    const iv10 = s[10]! ^ (low >>> 24);
    const iv11 = s[11]! ^ ((low >>> 16) & 0xff);
    const iv12 = s[12]! ^ ((low >>> 8) & 0xff);
    const iv13 = s[13]! ^ (low & 0xff);
    for (let b = 0; b < blocks; b++) {
      const o = b * 16;
      c[o] = iv0;
      c[o + 1] = iv1;
      c[o + 2] = iv2;
      c[o + 3] = iv3;
      c[o + 4] = iv4;
      c[o + 5] = iv5;
      c[o + 6] = iv6;
      c[o + 7] = iv7;
      c[o + 8] = iv8;
      c[o + 9] = iv9;
      c[o + 10] = iv10;
      c[o + 11] = iv11;
      c[o + 12] = iv12;
      c[o + 13] = iv13;
      c[o + 14] = b >> 8;
      c[o + 15] = b & 0xff;
    }
    const keystream = this.ecb.update(c.subarray(0, blocks * 16));
    for (let i = 0; i < length; i++) data[offset + i] = data[offset + i]! ^ keystream[i]!;
  }

  /** The raw keystream (for the RFC 3711 B.2 test vector). */
  keystream(ssrc: number, index: number, length: number): Buffer {
    const out = Buffer.alloc(length);
    this.transform(ssrc, index, out, 0, length);
    return out;
  }
}

export class HmacSha1 {
  /** (K ⊕ ipad) followed by room for the message. */
  private readonly inner = Buffer.alloc(SHA1_BLOCK + SRTP_MAX_PACKET + 4);
  /** (K ⊕ opad) followed by the inner digest. */
  private readonly outer = Buffer.alloc(SHA1_BLOCK + SHA1_LENGTH);

  constructor(key: Uint8Array) {
    if (key.length > SHA1_BLOCK) throw new RangeError('HMAC key longer than a block');
    for (let i = 0; i < SHA1_BLOCK; i++) {
      const k = i < key.length ? key[i]! : 0;
      this.inner[i] = k ^ 0x36;
      this.outer[i] = k ^ 0x5c;
    }
  }

  /**
   * HMAC-SHA1 over `data[offset, offset + length)` followed by the 32-bit `suffix` (the
   * SRTP ROC, RFC 3711 §4.2) when `withSuffix`; the first `tagLength` bytes of the MAC
   * are written to `out` at `outOffset`.
   */
  sign(
    data: Uint8Array,
    offset: number,
    length: number,
    withSuffix: boolean,
    suffix: number,
    out: Uint8Array,
    outOffset: number,
    tagLength: number,
  ): void {
    const inner = this.inner;
    if (length > SRTP_MAX_PACKET) throw new RangeError('packet too large for SRTP');
    inner.set(data.subarray(offset, offset + length), SHA1_BLOCK);
    let end = SHA1_BLOCK + length;
    if (withSuffix) {
      inner.writeUInt32BE(suffix >>> 0, end);
      end += 4;
    }
    const innerDigest = hash('sha1', inner.subarray(0, end), 'buffer');
    this.outer.set(innerDigest, SHA1_BLOCK);
    const mac = hash('sha1', this.outer, 'buffer');
    for (let i = 0; i < tagLength; i++) out[outOffset + i] = mac[i]!;
  }
}
