/**
 * Just enough of the libpcap file format to read the RTP in SIPp's sample pcaps: the
 * classic 24-byte global header (either byte order, µs or ns timestamps), 16-byte record
 * headers, Ethernet (with one optional 802.1Q tag) or Linux cooked (SLL) link layers,
 * IPv4, UDP, then the RTP fixed header (RFC 3550 §5.1). Anything else is skipped.
 */
import { readFileSync } from 'node:fs';

export interface PcapRtpPacket {
  /** Capture time in seconds. */
  time: number;
  sourcePort: number;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  payload: Uint8Array;
}

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_LINUX_SLL = 113;

export function readPcapRtp(path: string): PcapRtpPacket[] {
  const b = readFileSync(path);
  const magicLe = b.readUInt32LE(0);
  const littleEndian = magicLe === 0xa1b2c3d4 || magicLe === 0xa1b23c4d;
  const nano = magicLe === 0xa1b23c4d || b.readUInt32BE(0) === 0xa1b23c4d;
  if (!littleEndian && b.readUInt32BE(0) !== 0xa1b2c3d4 && !nano) {
    throw new Error(`${path}: not a classic pcap file`);
  }
  const u32 = (at: number) => (littleEndian ? b.readUInt32LE(at) : b.readUInt32BE(at));
  const link = u32(20);
  const out: PcapRtpPacket[] = [];
  let at = 24;
  while (at + 16 <= b.length) {
    const time = u32(at) + u32(at + 4) / (nano ? 1e9 : 1e6);
    const length = u32(at + 8);
    const frame = b.subarray(at + 16, at + 16 + length);
    at += 16 + length;
    let ip: number;
    if (link === LINKTYPE_ETHERNET) {
      ip = frame.readUInt16BE(12) === 0x8100 ? 18 : 14;
      if (frame.readUInt16BE(ip - 2) !== 0x0800) continue; // IPv4 only
    } else if (link === LINKTYPE_LINUX_SLL) {
      ip = 16;
    } else {
      continue;
    }
    if (frame[ip]! >> 4 !== 4 || frame[ip + 9] !== 17) continue; // IPv4 + UDP
    const udp = ip + (frame[ip]! & 0x0f) * 4;
    const rtp = udp + 8;
    if (frame.length < rtp + 12 || frame[rtp]! >> 6 !== 2) continue;
    const cc = frame[rtp]! & 0x0f;
    out.push({
      time,
      sourcePort: frame.readUInt16BE(udp),
      payloadType: frame[rtp + 1]! & 0x7f,
      sequenceNumber: frame.readUInt16BE(rtp + 2),
      timestamp: frame.readUInt32BE(rtp + 4),
      ssrc: frame.readUInt32BE(rtp + 8),
      payload: frame.subarray(rtp + 12 + cc * 4),
    });
  }
  return out;
}
