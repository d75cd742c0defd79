/**
 * A stream's periodic RTCP report written in place, without allocating: the compound
 * packet of RFC 3550 §6.1 that every report interval sends — SR (§6.4.1) when we have
 * sent RTP, else RR (§6.4.2), with at most one reception report block, then SDES with
 * our CNAME (§6.5.1). A media worker sends one per stream every ~5 s; building them as
 * objects (rtcp-packet.ts) made them most of a busy worker's steady-state garbage.
 *
 * The fields live in a reusable {@link RtcpReportFields} (RtpStreamStats.fillReport
 * fills it); the CNAME is encoded once ({@link encodeCname}). BYE and anything unusual
 * still go through serializeRtcpCompound.
 */
import { MediaError, MediaErrorCode } from '../media-error.ts';
import { writeU32 } from '../rtp/rtp-packet.ts';
import {
  RTCP_PT,
  type RtcpReportBlock,
  SDES_ITEM,
  writeCommonHeader,
  writeReportBlock,
  writeSenderInfo,
} from './rtcp-packet.ts';

const REPORT_BLOCK_SIZE = 24;

/** Everything one report carries (numbers only: filled in place every interval). */
export class RtcpReportFields {
  /** Our SSRC (SR/RR sender, SDES chunk). */
  ssrc = 0;
  /** Sender info present: an SR; otherwise an RR. */
  sender = false;
  ntpSeconds = 0;
  ntpFraction = 0;
  rtpTimestamp = 0;
  packetCount = 0;
  octetCount = 0;
  /** One reception report block present (a valid remote source). */
  hasBlock = false;
  /** That block (filled in place; read only when {@link hasBlock}). */
  readonly block: RtcpReportBlock = {
    ssrc: 0,
    fractionLost: 0,
    cumulativeLost: 0,
    extendedHighestSeq: 0,
    jitter: 0,
    lastSr: 0,
    delaySinceLastSr: 0,
  };
}

const cnameEncoder = new TextEncoder();

/** The CNAME as SDES item text (UTF-8, at most 255 bytes). */
export function encodeCname(cname: string): Uint8Array {
  const bytes = cnameEncoder.encode(cname);
  if (bytes.length > 255) {
    throw new MediaError(MediaErrorCode.InvalidArgument, 'SDES item longer than 255');
  }
  return bytes;
}

/** Size in bytes of the report {@link writeRtcpReport} writes. */
export function rtcpReportSize(fields: RtcpReportFields, cname: Uint8Array): number {
  const report = (fields.sender ? 28 : 8) + (fields.hasBlock ? REPORT_BLOCK_SIZE : 0);
  // SDES header, one chunk: SSRC, CNAME item, at least one null octet, 32-bit aligned.
  return report + 4 + ((4 + 2 + cname.length + 4) & ~3);
}

/**
 * Write the compound report at `at` in `out` (room for {@link rtcpReportSize} bytes
 * needed); returns its size. Padding and terminator octets are written, so `out` may
 * hold anything before.
 */
export function writeRtcpReport(
  out: Uint8Array,
  at: number,
  fields: RtcpReportFields,
  cname: Uint8Array,
): number {
  const size = rtcpReportSize(fields, cname);
  if (at + size > out.length) {
    throw new MediaError(MediaErrorCode.BufferTooSmall, 'RTCP packet does not fit');
  }
  const blocks = fields.hasBlock ? 1 : 0;
  let o = at;
  if (fields.sender) {
    const n = 28 + blocks * REPORT_BLOCK_SIZE;
    writeCommonHeader(out, o, blocks, RTCP_PT.SR, n);
    writeSenderInfo(out, o, fields);
    o += 28;
  } else {
    writeCommonHeader(out, o, blocks, RTCP_PT.RR, 8 + blocks * REPORT_BLOCK_SIZE);
    writeU32(out, o + 4, fields.ssrc);
    o += 8;
  }
  if (fields.hasBlock) {
    writeReportBlock(out, o, fields.block);
    o += REPORT_BLOCK_SIZE;
  }
  const sdes = at + size - o;
  writeCommonHeader(out, o, 1, RTCP_PT.SDES, sdes);
  writeU32(out, o + 4, fields.ssrc);
  out[o + 8] = SDES_ITEM.CNAME;
  out[o + 9] = cname.length;
  out.set(cname, o + 10);
  // The item list's null terminator, then zeros to the 32-bit boundary.
  out.fill(0, o + 10 + cname.length, o + sdes);
  return size;
}
