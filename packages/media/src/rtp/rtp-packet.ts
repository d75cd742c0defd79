/**
 * RTP fixed header parse/serialize (RFC 3550 §5.1), allocation-free.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           timestamp                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           synchronization source (SSRC) identifier            |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |            contributing source (CSRC) identifiers             |
 * |                             ....                              |
 *
 * Parsing fills a caller-owned, reusable {@link RtpPacketView}: the payload is described by
 * offset/length into the datagram instead of a new subarray, so the receive path allocates
 * nothing per packet.
 */
import { MediaError, MediaErrorCode } from '../media-error.ts';

export const RTP_VERSION = 2;
export const RTP_HEADER_SIZE = 12;
export const RTP_MAX_CSRC = 15;

/** Why a datagram is not a valid RTP packet (RFC 3550 §A.1 header validity checks). */
export type RtpParseStatus =
  | 'ok'
  | 'too-short'
  | 'bad-version'
  | 'bad-csrc'
  | 'bad-extension'
  | 'bad-padding';

/** A reusable, mutable view of one parsed RTP packet. Create once per stream. */
export class RtpPacketView {
  padding = false;
  extension = false;
  marker = false;
  payloadType = 0;
  sequenceNumber = 0;
  timestamp = 0;
  ssrc = 0;
  csrcCount = 0;
  /** Only the first {@link csrcCount} entries are valid. */
  readonly csrcs: Uint32Array = new Uint32Array(RTP_MAX_CSRC);
  /** Header extension profile (§5.3.1), valid when {@link extension}. */
  extensionProfile = 0;
  /** Offset/length in bytes of the header extension body (after its 4-byte header). */
  extensionOffset = 0;
  extensionLength = 0;
  /** Payload location inside the parsed datagram, padding excluded. */
  payloadOffset = 0;
  payloadLength = 0;
  /** Number of padding octets at the end (§5.1 P bit: the last octet counts them). */
  paddingLength = 0;
}

/**
 * Parse `data[0, length)` into `out`. Returns 'ok' or the reason for rejection; never
 * throws and never allocates, so hostile traffic costs nothing extra.
 */
export function parseRtpPacket(
  data: Uint8Array,
  out: RtpPacketView,
  length = data.length,
): RtpParseStatus {
  if (length < RTP_HEADER_SIZE) return 'too-short';
  const b0 = data[0]!;
  if (b0 >> 6 !== RTP_VERSION) return 'bad-version';
  const b1 = data[1]!;
  const cc = b0 & 0x0f;
  let offset = RTP_HEADER_SIZE + cc * 4;
  if (offset > length) return 'bad-csrc';
  out.padding = (b0 & 0x20) !== 0;
  out.extension = (b0 & 0x10) !== 0;
  out.marker = (b1 & 0x80) !== 0;
  out.payloadType = b1 & 0x7f;
  out.sequenceNumber = (data[2]! << 8) | data[3]!;
  out.timestamp = readU32(data, 4);
  out.ssrc = readU32(data, 8);
  out.csrcCount = cc;
  for (let i = 0; i < cc; i++) out.csrcs[i] = readU32(data, RTP_HEADER_SIZE + i * 4);
  if (out.extension) {
    // §5.3.1: 16-bit profile-defined id, 16-bit length in 32-bit words excluding itself.
    if (offset + 4 > length) return 'bad-extension';
    out.extensionProfile = (data[offset]! << 8) | data[offset + 1]!;
    const words = (data[offset + 2]! << 8) | data[offset + 3]!;
    out.extensionOffset = offset + 4;
    out.extensionLength = words * 4;
    offset += 4 + words * 4;
    if (offset > length) return 'bad-extension';
  } else {
    out.extensionProfile = 0;
    out.extensionOffset = 0;
    out.extensionLength = 0;
  }
  let end = length;
  if (out.padding) {
    // §5.1: the last octet of the padding counts the padding octets, itself included.
    const pad = data[length - 1]!;
    if (pad === 0 || offset + pad > length) return 'bad-padding';
    end -= pad;
    out.paddingLength = pad;
  } else {
    out.paddingLength = 0;
  }
  out.payloadOffset = offset;
  out.payloadLength = end - offset;
  return 'ok';
}

/** Header fields for {@link writeRtpHeader}. Reuse one object per outgoing stream. */
export interface RtpHeaderFields {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  /** Contributing sources (§5.1 CSRC list, at most 15); omit for none. */
  csrcs?: ArrayLike<number>;
}

/**
 * Write a 12-byte (+ 4 per CSRC) header at `offset` of `out` and return its length, so the
 * codec can encode the payload straight into the same buffer after it. No extension, no
 * padding (we never need them for G.711).
 */
export function writeRtpHeader(out: Uint8Array, header: RtpHeaderFields, offset = 0): number {
  const cc = header.csrcs?.length ?? 0;
  if (cc > RTP_MAX_CSRC) {
    throw new MediaError(MediaErrorCode.InvalidArgument, `RTP CSRC count ${cc} > 15`);
  }
  const size = RTP_HEADER_SIZE + cc * 4;
  if (offset + size > out.length) {
    throw new MediaError(MediaErrorCode.BufferTooSmall, 'RTP header does not fit');
  }
  out[offset] = (RTP_VERSION << 6) | cc;
  out[offset + 1] = (header.marker ? 0x80 : 0) | (header.payloadType & 0x7f);
  out[offset + 2] = (header.sequenceNumber >> 8) & 0xff;
  out[offset + 3] = header.sequenceNumber & 0xff;
  writeU32(out, offset + 4, header.timestamp);
  writeU32(out, offset + 8, header.ssrc);
  for (let i = 0; i < cc; i++) writeU32(out, offset + 12 + i * 4, header.csrcs![i]!);
  return size;
}

/** Header + payload in one go; returns the total packet length. */
export function writeRtpPacket(
  out: Uint8Array,
  header: RtpHeaderFields,
  payload: Uint8Array,
  offset = 0,
): number {
  const headerLength = writeRtpHeader(out, header, offset);
  if (offset + headerLength + payload.length > out.length) {
    throw new MediaError(MediaErrorCode.BufferTooSmall, 'RTP payload does not fit');
  }
  out.set(payload, offset + headerLength);
  return headerLength + payload.length;
}

export function readU32(data: Uint8Array, offset: number): number {
  return (
    ((data[offset]! << 24) |
      (data[offset + 1]! << 16) |
      (data[offset + 2]! << 8) |
      data[offset + 3]!) >>>
    0
  );
}

export function writeU32(out: Uint8Array, offset: number, value: number): void {
  out[offset] = (value >>> 24) & 0xff;
  out[offset + 1] = (value >>> 16) & 0xff;
  out[offset + 2] = (value >>> 8) & 0xff;
  out[offset + 3] = value & 0xff;
}
