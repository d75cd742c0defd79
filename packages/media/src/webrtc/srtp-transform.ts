/**
 * SRTP and SRTCP with AES_CM_128_HMAC_SHA1_80 (RFC 3711; the profile DTLS-SRTP calls
 * SRTP_AES128_CM_HMAC_SHA1_80, RFC 5764 §4.1.2). One transform per call leg: our keys
 * protect what we send, the peer's keys unprotect what we receive.
 *
 * - Packet index (§3.3.1): i = 2^16 · ROC + SEQ. The sender bumps ROC when SEQ wraps;
 *   the receiver estimates it from the highest SEQ seen (Appendix A) and commits the
 *   estimate only after the packet authenticated.
 * - Authentication (§4.2): HMAC-SHA1 over the authenticated portion ‖ ROC, 80-bit tag.
 * - Replay protection (§3.3.2): per-SSRC window for SRTP, one for the SRTCP index.
 * - SRTCP (§3.4): E flag set, 31-bit index, everything after the first 8 bytes encrypted.
 *
 * No cipher or HMAC object is created per packet (see aes-cm-hmac-sha1.ts). Protecting
 * allocates the output datagram (dgram owns it until its send callback).
 */
import { timingSafeEqual } from 'node:crypto';
import { AesCounterMode, HmacSha1, SRTP_MAX_PACKET } from './aes-cm-hmac-sha1.ts';
import { deriveSrtpSessionKeys, type SrtpSessionKeys } from './srtp-key-derivation.ts';
import { SrtpReplayWindow } from './srtp-replay-window.ts';

/** The 80-bit authentication tag of AES_CM_128_HMAC_SHA1_80. */
export const SRTP_AUTH_TAG_LENGTH = 10;
const SRTCP_INDEX_LENGTH = 4;

export type SrtpFailure = 'malformed' | 'authentication' | 'replay';

/** Master key and salt for one direction (from the DTLS exporter, RFC 5764 §4.2). */
export interface SrtpMasterKey {
  key: Uint8Array;
  salt: Uint8Array;
}

interface ReceiveState {
  roc: number;
  /** Highest sequence number received (s_l). */
  highestSeq: number;
  readonly window: SrtpReplayWindow;
}

/** At most this many remote SSRCs keep receive state (a browser sends one or two). */
const MAX_REMOTE_SSRCS = 16;

class DirectionKeys {
  readonly rtpCipher: AesCounterMode;
  readonly rtpAuth: HmacSha1;
  readonly rtcpCipher: AesCounterMode;
  readonly rtcpAuth: HmacSha1;

  constructor(master: SrtpMasterKey) {
    const k: SrtpSessionKeys = deriveSrtpSessionKeys(master.key, master.salt);
    this.rtpCipher = new AesCounterMode(k.rtpKey, k.rtpSalt);
    this.rtpAuth = new HmacSha1(k.rtpAuthKey);
    this.rtcpCipher = new AesCounterMode(k.rtcpKey, k.rtcpSalt);
    this.rtcpAuth = new HmacSha1(k.rtcpAuthKey);
  }
}

/** RTP header length including CSRCs and the header extension (RFC 3550 §5.1, §5.3.1). */
function rtpHeaderLength(packet: Uint8Array, length: number): number {
  if (length < 12 || packet[0]! >> 6 !== 2) return -1;
  let n = 12 + (packet[0]! & 0x0f) * 4;
  if (packet[0]! & 0x10) {
    if (length < n + 4) return -1;
    n += 4 + ((packet[n + 2]! << 8) | packet[n + 3]!) * 4;
  }
  return n <= length ? n : -1;
}

export class SrtpTransform {
  private readonly local: DirectionKeys;
  private readonly remote: DirectionKeys;
  private sendSsrc = -1;
  private sendRoc = 0;
  private sendLastSeq = -1;
  private srtcpIndex = 0;
  private readonly receive = new Map<number, ReceiveState>();
  private readonly rtcpWindow = new SrtpReplayWindow();
  private readonly tag = new Uint8Array(SRTP_AUTH_TAG_LENGTH);
  /** Why the last unprotect call returned -1. */
  lastFailure: SrtpFailure | undefined;

  constructor(local: SrtpMasterKey, remote: SrtpMasterKey) {
    this.local = new DirectionKeys(local);
    this.remote = new DirectionKeys(remote);
  }

  /** Encrypt and sign an RTP packet; returns a new datagram (packet + 10-byte tag). */
  protectRtp(packet: Uint8Array, offset: number, length: number): Buffer {
    const header = rtpHeaderLength(packet.subarray(offset, offset + length), length);
    if (header < 0) throw new RangeError('not an RTP packet');
    if (length + SRTP_AUTH_TAG_LENGTH > SRTP_MAX_PACKET)
      throw new RangeError('RTP packet too large');
    const ssrc = readU32(packet, offset + 8);
    const seq = (packet[offset + 2]! << 8) | packet[offset + 3]!;
    if (ssrc !== this.sendSsrc) {
      this.sendSsrc = ssrc;
      this.sendRoc = 0;
    } else if (seq < this.sendLastSeq && this.sendLastSeq - seq > 0x8000) {
      this.sendRoc = (this.sendRoc + 1) >>> 0; // SEQ wrapped (§3.3.1)
    }
    this.sendLastSeq = seq;
    const index = this.sendRoc * 0x10000 + seq;
    const out = Buffer.allocUnsafe(length + SRTP_AUTH_TAG_LENGTH);
    out.set(packet.subarray(offset, offset + length), 0);
    this.local.rtpCipher.transform(ssrc, index, out, header, length - header);
    this.local.rtpAuth.sign(out, 0, length, true, this.sendRoc, out, length, SRTP_AUTH_TAG_LENGTH);
    return out;
  }

  /**
   * Verify and decrypt an SRTP packet in place. Returns the RTP length, or -1 with
   * {@link lastFailure} set (malformed, authentication, replay): drop the packet.
   */
  unprotectRtp(packet: Uint8Array, length: number): number {
    const authenticated = length - SRTP_AUTH_TAG_LENGTH;
    const header = rtpHeaderLength(packet, authenticated);
    if (header < 0 || length > SRTP_MAX_PACKET) return this.fail('malformed');
    const ssrc = readU32(packet, 8);
    const seq = (packet[2]! << 8) | packet[3]!;
    let state = this.receive.get(ssrc);
    const fresh = state === undefined;
    // Appendix A: guess ROC (v) from s_l; the first packet sets s_l (§3.3.1).
    const roc = state?.roc ?? 0;
    const sl = state?.highestSeq ?? seq;
    let v = roc;
    if (sl < 0x8000) {
      if (seq - sl > 0x8000 && roc > 0) v = roc - 1;
    } else if (sl - 0x8000 > seq) {
      v = roc + 1;
    }
    const index = v * 0x10000 + seq;
    if (state !== undefined && !state.window.check(index)) return this.fail('replay');
    const tag = this.tag;
    this.remote.rtpAuth.sign(packet, 0, authenticated, true, v, tag, 0, SRTP_AUTH_TAG_LENGTH);
    if (!timingSafeEqual(tag, packet.subarray(authenticated, length))) {
      return this.fail('authentication');
    }
    this.remote.rtpCipher.transform(ssrc, index, packet, header, authenticated - header);
    if (fresh) {
      if (this.receive.size >= MAX_REMOTE_SSRCS) this.receive.clear();
      state = { roc: v, highestSeq: seq, window: new SrtpReplayWindow() };
      this.receive.set(ssrc, state);
    } else if (state !== undefined) {
      if (v > state.roc) {
        state.roc = v;
        state.highestSeq = seq;
      } else if (v === state.roc && seq > state.highestSeq) {
        state.highestSeq = seq;
      }
    }
    state!.window.accept(index);
    return authenticated;
  }

  /** Encrypt and sign an RTCP compound packet (§3.4); returns a new datagram. */
  protectRtcp(packet: Uint8Array, offset: number, length: number): Buffer {
    if (length < 8) throw new RangeError('not an RTCP packet');
    const total = length + SRTCP_INDEX_LENGTH + SRTP_AUTH_TAG_LENGTH;
    if (total > SRTP_MAX_PACKET) throw new RangeError('RTCP packet too large');
    const index = this.srtcpIndex;
    this.srtcpIndex = (this.srtcpIndex + 1) & 0x7fffffff;
    const out = Buffer.allocUnsafe(total);
    out.set(packet.subarray(offset, offset + length), 0);
    const ssrc = readU32(out, 4);
    this.local.rtcpCipher.transform(ssrc, index, out, 8, length - 8);
    out.writeUInt32BE((0x80000000 | index) >>> 0, length); // E flag: encrypted
    const signed = length + SRTCP_INDEX_LENGTH;
    this.local.rtcpAuth.sign(out, 0, signed, false, 0, out, signed, SRTP_AUTH_TAG_LENGTH);
    return out;
  }

  /** Verify and decrypt an SRTCP packet in place; the RTCP length or -1. */
  unprotectRtcp(packet: Uint8Array, length: number): number {
    const signed = length - SRTP_AUTH_TAG_LENGTH;
    const rtcpLength = signed - SRTCP_INDEX_LENGTH;
    if (rtcpLength < 8 || length > SRTP_MAX_PACKET) return this.fail('malformed');
    const word = readU32(packet, rtcpLength);
    const encrypted = word >>> 31 === 1;
    const index = word & 0x7fffffff;
    if (!this.rtcpWindow.check(index)) return this.fail('replay');
    const tag = this.tag;
    this.remote.rtcpAuth.sign(packet, 0, signed, false, 0, tag, 0, SRTP_AUTH_TAG_LENGTH);
    if (!timingSafeEqual(tag, packet.subarray(signed, length))) return this.fail('authentication');
    if (encrypted) {
      this.remote.rtcpCipher.transform(readU32(packet, 4), index, packet, 8, rtcpLength - 8);
    }
    this.rtcpWindow.accept(index);
    return rtcpLength;
  }

  private fail(reason: SrtpFailure): number {
    this.lastFailure = reason;
    return -1;
  }
}

function readU32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}
