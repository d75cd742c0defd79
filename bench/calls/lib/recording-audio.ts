/**
 * Evidence that the caller's audio reached the server: the server records calls as 16-bit
 * stereo WAV, left = what the caller sent, right = what the platform played. Each SIPp
 * caller plays the same A-law speech pcap, so the left channel of every recording should
 * hold as many audible 20 ms frames (peak above a small threshold) as the pcap itself.
 */
import { readFileSync } from 'node:fs';
import { g711Tables } from '@uketsuke/media';

export interface ChannelAudio {
  frames: number;
  callerAudible: number;
  platformAudible: number;
}

const PEAK = 200;
const FRAME = 160; // 20 ms at 8 kHz

/** Reads a PCM WAV (RIFF chunks, 16-bit, 2 channels) and counts audible 20 ms frames. */
export function audibleFrames(path: string): ChannelAudio {
  const buf = readFileSync(path);
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE')
    throw new Error(`${path}: not a WAV file`);
  let offset = 12;
  let channels = 0;
  let bits = 0;
  let data: Buffer | undefined;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      channels = buf.readUInt16LE(body + 2);
      bits = buf.readUInt16LE(body + 14);
    } else if (id === 'data') {
      data = buf.subarray(body, Math.min(buf.length, body + size));
    }
    offset = body + size + (size % 2);
  }
  if (!data || channels !== 2 || bits !== 16)
    throw new Error(`${path}: expected 16-bit stereo PCM (${channels} ch, ${bits} bit)`);
  const samples = Math.floor(data.length / 4);
  const out: ChannelAudio = { frames: 0, callerAudible: 0, platformAudible: 0 };
  for (let start = 0; start + FRAME <= samples; start += FRAME) {
    let left = 0;
    let right = 0;
    for (let i = start; i < start + FRAME; i++) {
      left = Math.max(left, Math.abs(data.readInt16LE(i * 4)));
      right = Math.max(right, Math.abs(data.readInt16LE(i * 4 + 2)));
    }
    out.frames++;
    if (left > PEAK) out.callerAudible++;
    if (right > PEAK) out.platformAudible++;
  }
  return out;
}

/**
 * Audible 20 ms frames in the G.711 A-law RTP of a pcap (libpcap format, Ethernet, IPv4,
 * UDP): what a recording's caller channel should hold when every packet arrived.
 */
export function pcapAudibleFrames(path: string): number {
  const d = readFileSync(path);
  if (d.readUInt32LE(0) !== 0xa1b2c3d4 || d.readUInt32LE(20) !== 1)
    throw new Error(`${path}: expected a little-endian libpcap file of Ethernet frames`);
  const payloads: Buffer[] = [];
  for (let off = 24; off + 16 <= d.length; ) {
    const incl = d.readUInt32LE(off + 8);
    const frame = d.subarray(off + 16, off + 16 + incl);
    off += 16 + incl;
    const ip = frame.subarray(14);
    const udp = ip.subarray((ip[0]! & 0x0f) * 4);
    const rtp = udp.subarray(8);
    // RFC 3550 §5.1: 12-byte header plus 4 bytes per CSRC; PT 8 is PCMA (RFC 3551).
    if ((rtp[1]! & 0x7f) !== 8) continue;
    payloads.push(rtp.subarray(12 + 4 * (rtp[0]! & 0x0f)));
  }
  const all = Buffer.concat(payloads);
  const decode = g711Tables('PCMA').decode;
  let audible = 0;
  for (let i = 0; i + FRAME <= all.length; i += FRAME) {
    let peak = 0;
    for (let j = i; j < i + FRAME; j++) peak = Math.max(peak, Math.abs(decode[all[j]!]!));
    if (peak > PEAK) audible++;
  }
  return audible;
}
