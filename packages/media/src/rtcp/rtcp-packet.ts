/**
 * RTCP compound packets (RFC 3550 §6): SR (§6.4.1), RR (§6.4.2), SDES (§6.5), BYE (§6.6).
 * Other packet types (APP, RTPFB, XR …) are kept as opaque {@link RtcpUnknown}.
 *
 * RTCP is a few packets per second per stream, so parsing produces plain objects; the RTP
 * path is the one that avoids allocation.
 */
import { MediaError, MediaErrorCode } from '../media-error.ts';
import { readU32, writeU32 } from '../rtp/rtp-packet.ts';

export const RTCP_PT = { SR: 200, RR: 201, SDES: 202, BYE: 203, APP: 204 } as const;

/** SDES item types (§6.5). */
export const SDES_ITEM = {
  CNAME: 1,
  NAME: 2,
  EMAIL: 3,
  PHONE: 4,
  LOC: 5,
  TOOL: 6,
  NOTE: 7,
  PRIV: 8,
} as const;

/** One reception report block (§6.4.1). */
export interface RtcpReportBlock {
  ssrc: number;
  /** Fraction lost since the previous report, 8-bit fixed point (0..255 = 0..~1). */
  fractionLost: number;
  /** Cumulative packets lost, signed 24-bit. */
  cumulativeLost: number;
  extendedHighestSeq: number;
  /** Interarrival jitter in timestamp units. */
  jitter: number;
  /** Middle 32 bits of the NTP timestamp of the last SR received, 0 if none. */
  lastSr: number;
  /** Delay since that SR, in 1/65536 s, 0 if none. */
  delaySinceLastSr: number;
}

export interface RtcpSenderReport {
  type: 'sr';
  ssrc: number;
  ntpSeconds: number;
  ntpFraction: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  reports: RtcpReportBlock[];
}

export interface RtcpReceiverReport {
  type: 'rr';
  ssrc: number;
  reports: RtcpReportBlock[];
}

export interface RtcpSdesItem {
  type: number;
  text: string;
}

export interface RtcpSdesChunk {
  ssrc: number;
  items: RtcpSdesItem[];
}

export interface RtcpSdes {
  type: 'sdes';
  chunks: RtcpSdesChunk[];
}

export interface RtcpBye {
  type: 'bye';
  ssrcs: number[];
  reason?: string;
}

export interface RtcpUnknown {
  type: 'unknown';
  packetType: number;
  /** The 5-bit count/subtype field. */
  count: number;
  /** Body after the 4-byte common header (padding excluded). */
  body: Uint8Array;
}

export type RtcpPacket = RtcpSenderReport | RtcpReceiverReport | RtcpSdes | RtcpBye | RtcpUnknown;

const REPORT_BLOCK_SIZE = 24;
const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();

function malformed(message: string): MediaError {
  return new MediaError(MediaErrorCode.RtcpMalformed, message);
}

/**
 * Parse a compound RTCP datagram. Validity checks follow §A.2: version 2 everywhere, each
 * length field inside the datagram, lengths summing to the datagram size. (The "first
 * packet is SR/RR" rule is not enforced so RFC 5506 reduced-size RTCP still parses.)
 * Throws {@link MediaError} `MEDIA_RTCP_MALFORMED`.
 */
export function parseRtcpCompound(data: Uint8Array, length = data.length): RtcpPacket[] {
  const packets: RtcpPacket[] = [];
  let offset = 0;
  if (length < 4) throw malformed('RTCP datagram shorter than a header');
  while (offset < length) {
    if (offset + 4 > length) throw malformed('truncated RTCP header');
    const b0 = data[offset]!;
    if (b0 >> 6 !== 2) throw malformed(`RTCP version ${b0 >> 6}`);
    const padding = (b0 & 0x20) !== 0;
    const count = b0 & 0x1f;
    const pt = data[offset + 1]!;
    const size = (((data[offset + 2]! << 8) | data[offset + 3]!) + 1) * 4;
    const end = offset + size;
    if (end > length) throw malformed('RTCP length beyond datagram');
    let bodyEnd = end;
    if (padding) {
      const pad = data[end - 1]!;
      if (pad === 0 || pad > size - 4) throw malformed('bad RTCP padding');
      bodyEnd -= pad;
    }
    packets.push(parseOne(data, pt, count, offset + 4, bodyEnd));
    offset = end;
  }
  return packets;
}

function parseOne(
  data: Uint8Array,
  pt: number,
  count: number,
  start: number,
  end: number,
): RtcpPacket {
  switch (pt) {
    case RTCP_PT.SR: {
      if (start + 24 + count * REPORT_BLOCK_SIZE > end) throw malformed('short SR');
      return {
        type: 'sr',
        ssrc: readU32(data, start),
        ntpSeconds: readU32(data, start + 4),
        ntpFraction: readU32(data, start + 8),
        rtpTimestamp: readU32(data, start + 12),
        packetCount: readU32(data, start + 16),
        octetCount: readU32(data, start + 20),
        reports: parseReportBlocks(data, start + 24, count),
      };
    }
    case RTCP_PT.RR: {
      if (start + 4 + count * REPORT_BLOCK_SIZE > end) throw malformed('short RR');
      return {
        type: 'rr',
        ssrc: readU32(data, start),
        reports: parseReportBlocks(data, start + 4, count),
      };
    }
    case RTCP_PT.SDES:
      return { type: 'sdes', chunks: parseSdesChunks(data, count, start, end) };
    case RTCP_PT.BYE: {
      if (start + count * 4 > end) throw malformed('short BYE');
      const ssrcs: number[] = [];
      for (let i = 0; i < count; i++) ssrcs.push(readU32(data, start + i * 4));
      const bye: RtcpBye = { type: 'bye', ssrcs };
      const reasonAt = start + count * 4;
      if (reasonAt < end) {
        const len = data[reasonAt]!;
        if (reasonAt + 1 + len > end) throw malformed('BYE reason beyond packet');
        bye.reason = textDecoder.decode(data.subarray(reasonAt + 1, reasonAt + 1 + len));
      }
      return bye;
    }
    default:
      return { type: 'unknown', packetType: pt, count, body: data.slice(start, end) };
  }
}

function parseReportBlocks(data: Uint8Array, start: number, count: number): RtcpReportBlock[] {
  const blocks: RtcpReportBlock[] = [];
  for (let i = 0; i < count; i++) {
    const o = start + i * REPORT_BLOCK_SIZE;
    // Cumulative lost is a signed 24-bit integer: sign-extend via a 32-bit shift pair.
    const lost = ((data[o + 5]! << 16) | (data[o + 6]! << 8) | data[o + 7]!) << 8;
    blocks.push({
      ssrc: readU32(data, o),
      fractionLost: data[o + 4]!,
      cumulativeLost: lost >> 8,
      extendedHighestSeq: readU32(data, o + 8),
      jitter: readU32(data, o + 12),
      lastSr: readU32(data, o + 16),
      delaySinceLastSr: readU32(data, o + 20),
    });
  }
  return blocks;
}

function parseSdesChunks(
  data: Uint8Array,
  count: number,
  start: number,
  end: number,
): RtcpSdesChunk[] {
  const chunks: RtcpSdesChunk[] = [];
  let o = start;
  for (let c = 0; c < count; c++) {
    if (o + 4 > end) throw malformed('short SDES chunk');
    const chunk: RtcpSdesChunk = { ssrc: readU32(data, o), items: [] };
    o += 4;
    // Items until a null octet; then pad to the next 32-bit boundary (§6.5).
    for (;;) {
      if (o >= end) throw malformed('SDES chunk without terminator');
      const type = data[o]!;
      if (type === 0) break;
      if (o + 2 > end) throw malformed('short SDES item');
      const len = data[o + 1]!;
      if (o + 2 + len > end) throw malformed('SDES item beyond packet');
      chunk.items.push({ type, text: textDecoder.decode(data.subarray(o + 2, o + 2 + len)) });
      o += 2 + len;
    }
    o = (o + 4) & ~3; // skip the null octet(s) up to the boundary
    chunks.push(chunk);
  }
  return chunks;
}

/** Serialized size of a packet in bytes (always a multiple of 4). */
export function rtcpPacketSize(packet: RtcpPacket): number {
  switch (packet.type) {
    case 'sr':
      return 28 + packet.reports.length * REPORT_BLOCK_SIZE;
    case 'rr':
      return 8 + packet.reports.length * REPORT_BLOCK_SIZE;
    case 'sdes': {
      let size = 4;
      for (const chunk of packet.chunks) {
        let n = 4;
        for (const item of chunk.items) n += 2 + textEncoder.encode(item.text).length;
        size += (n + 4) & ~3; // at least one null octet, then 32-bit aligned
      }
      return size;
    }
    case 'bye': {
      const reason = packet.reason === undefined ? 0 : 1 + textEncoder.encode(packet.reason).length;
      return 4 + packet.ssrcs.length * 4 + ((reason + 3) & ~3);
    }
    case 'unknown':
      return 4 + ((packet.body.length + 3) & ~3);
  }
}

export function writeCommonHeader(
  out: Uint8Array,
  offset: number,
  count: number,
  pt: number,
  size: number,
): void {
  if (count > 31) throw new MediaError(MediaErrorCode.InvalidArgument, `RTCP count ${count} > 31`);
  out[offset] = 0x80 | count;
  out[offset + 1] = pt;
  const words = size / 4 - 1;
  out[offset + 2] = (words >> 8) & 0xff;
  out[offset + 3] = words & 0xff;
}

/** Write one 24-byte reception report block (§6.4.1) at `o`. */
export function writeReportBlock(out: Uint8Array, o: number, b: RtcpReportBlock): void {
  writeU32(out, o, b.ssrc);
  const lost = b.cumulativeLost & 0xffffff;
  writeU32(out, o + 4, ((b.fractionLost & 0xff) << 24) | lost);
  writeU32(out, o + 8, b.extendedHighestSeq);
  writeU32(out, o + 12, b.jitter);
  writeU32(out, o + 16, b.lastSr);
  writeU32(out, o + 20, b.delaySinceLastSr);
}

function writeReportBlocks(out: Uint8Array, offset: number, blocks: RtcpReportBlock[]): void {
  for (let i = 0; i < blocks.length; i++) {
    writeReportBlock(out, offset + i * REPORT_BLOCK_SIZE, blocks[i]!);
  }
}

/** Write one RTCP packet at `offset`; returns its size. */
/** An SR's sender's SSRC and sender info (RFC 3550 §6.4.1), the 24 bytes after its header. */
export type RtcpSenderInfo = Pick<
  RtcpSenderReport,
  'ssrc' | 'ntpSeconds' | 'ntpFraction' | 'rtpTimestamp' | 'packetCount' | 'octetCount'
>;

/** Write an SR's SSRC and sender info after the header that starts at `o`. */
export function writeSenderInfo(out: Uint8Array, o: number, s: RtcpSenderInfo): void {
  writeU32(out, o + 4, s.ssrc);
  writeU32(out, o + 8, s.ntpSeconds);
  writeU32(out, o + 12, s.ntpFraction);
  writeU32(out, o + 16, s.rtpTimestamp);
  writeU32(out, o + 20, s.packetCount);
  writeU32(out, o + 24, s.octetCount);
}

export function writeRtcpPacket(out: Uint8Array, packet: RtcpPacket, offset = 0): number {
  const size = rtcpPacketSize(packet);
  if (offset + size > out.length) {
    throw new MediaError(MediaErrorCode.BufferTooSmall, 'RTCP packet does not fit');
  }
  out.fill(0, offset, offset + size);
  switch (packet.type) {
    case 'sr':
      writeCommonHeader(out, offset, packet.reports.length, RTCP_PT.SR, size);
      writeSenderInfo(out, offset, packet);
      writeReportBlocks(out, offset + 28, packet.reports);
      break;
    case 'rr':
      writeCommonHeader(out, offset, packet.reports.length, RTCP_PT.RR, size);
      writeU32(out, offset + 4, packet.ssrc);
      writeReportBlocks(out, offset + 8, packet.reports);
      break;
    case 'sdes': {
      writeCommonHeader(out, offset, packet.chunks.length, RTCP_PT.SDES, size);
      let o = offset + 4;
      for (const chunk of packet.chunks) {
        writeU32(out, o, chunk.ssrc);
        o += 4;
        for (const item of chunk.items) {
          const text = textEncoder.encode(item.text);
          if (text.length > 255) {
            throw new MediaError(MediaErrorCode.InvalidArgument, 'SDES item longer than 255');
          }
          out[o] = item.type;
          out[o + 1] = text.length;
          out.set(text, o + 2);
          o += 2 + text.length;
        }
        o = (o + 4) & ~3; // null terminator + alignment (already zero-filled)
      }
      break;
    }
    case 'bye': {
      writeCommonHeader(out, offset, packet.ssrcs.length, RTCP_PT.BYE, size);
      let o = offset + 4;
      for (const ssrc of packet.ssrcs) {
        writeU32(out, o, ssrc);
        o += 4;
      }
      if (packet.reason !== undefined) {
        const text = textEncoder.encode(packet.reason);
        if (text.length > 255) {
          throw new MediaError(MediaErrorCode.InvalidArgument, 'BYE reason longer than 255');
        }
        out[o] = text.length;
        out.set(text, o + 1);
      }
      break;
    }
    case 'unknown':
      writeCommonHeader(out, offset, packet.count, packet.packetType, size);
      out.set(packet.body, offset + 4);
      break;
  }
  return size;
}

/** Serialize a compound packet (§6.1: SR/RR first, then SDES with CNAME, BYE last). */
export function serializeRtcpCompound(packets: readonly RtcpPacket[]): Uint8Array {
  let total = 0;
  for (const p of packets) total += rtcpPacketSize(p);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of packets) offset += writeRtcpPacket(out, p, offset);
  return out;
}

/** Cheap demultiplexing test for RTP/RTCP on one port (RFC 5761 §4: PT 192..223). */
export function looksLikeRtcp(data: Uint8Array): boolean {
  if (data.length < 4 || data[0]! >> 6 !== 2) return false;
  const pt = data[1]!;
  return pt >= 192 && pt <= 223;
}
