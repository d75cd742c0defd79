/**
 * SRTP session key derivation (RFC 3711 §4.3) for AES_CM_128_HMAC_SHA1_80 with a key
 * derivation rate of 0 (the DTLS-SRTP default, RFC 5764 §4.1.2): r = 0, so every label
 * yields one key for the whole session.
 *
 *   key_id = label || r (56 bits), x = key_id XOR master_salt (112 bits)
 *   session key = AES-CM(master_key, IV = x · 2^16), first n bits of the keystream
 */
import { createCipheriv } from 'node:crypto';

/** RFC 3711 §4.3.2 labels. */
export const SrtpLabel = {
  rtpEncryption: 0,
  rtpAuthentication: 1,
  rtpSalt: 2,
  rtcpEncryption: 3,
  rtcpAuthentication: 4,
  rtcpSalt: 5,
} as const;

export const SRTP_MASTER_KEY_LENGTH = 16;
export const SRTP_MASTER_SALT_LENGTH = 14;
export const SRTP_AUTH_KEY_LENGTH = 20;

/** One derived session key set for one direction of RTP and RTCP. */
export interface SrtpSessionKeys {
  rtpKey: Buffer;
  rtpSalt: Buffer;
  rtpAuthKey: Buffer;
  rtcpKey: Buffer;
  rtcpSalt: Buffer;
  rtcpAuthKey: Buffer;
}

/** The AES-CM PRF of §4.3.3: `length` bytes of keystream for `label`. */
export function deriveSrtpKey(
  masterKey: Uint8Array,
  masterSalt: Uint8Array,
  label: number,
  length: number,
): Buffer {
  if (masterKey.length !== SRTP_MASTER_KEY_LENGTH) {
    throw new RangeError(`SRTP master key must be ${SRTP_MASTER_KEY_LENGTH} bytes`);
  }
  if (masterSalt.length !== SRTP_MASTER_SALT_LENGTH) {
    throw new RangeError(`SRTP master salt must be ${SRTP_MASTER_SALT_LENGTH} bytes`);
  }
  const blocks = Math.ceil(length / 16);
  const input = Buffer.alloc(blocks * 16);
  for (let b = 0; b < blocks; b++) {
    const block = input.subarray(b * 16, b * 16 + 16);
    block.set(masterSalt, 0);
    // key_id = label (8 bits) || r (48 bits, 0 here) is right-aligned under the salt:
    // the label lands on byte 7 of the 14-byte salt.
    block[7] = block[7]! ^ label;
    block[14] = (b >> 8) & 0xff; // the 16-bit block counter of AES-CM
    block[15] = b & 0xff;
  }
  const cipher = createCipheriv('aes-128-ecb', masterKey, null);
  cipher.setAutoPadding(false);
  return cipher.update(input).subarray(0, length);
}

export function deriveSrtpSessionKeys(
  masterKey: Uint8Array,
  masterSalt: Uint8Array,
): SrtpSessionKeys {
  const k = (label: number, length: number) => deriveSrtpKey(masterKey, masterSalt, label, length);
  return {
    rtpKey: k(SrtpLabel.rtpEncryption, 16),
    rtpSalt: k(SrtpLabel.rtpSalt, 14),
    rtpAuthKey: k(SrtpLabel.rtpAuthentication, SRTP_AUTH_KEY_LENGTH),
    rtcpKey: k(SrtpLabel.rtcpEncryption, 16),
    rtcpSalt: k(SrtpLabel.rtcpSalt, 14),
    rtcpAuthKey: k(SrtpLabel.rtcpAuthentication, SRTP_AUTH_KEY_LENGTH),
  };
}
