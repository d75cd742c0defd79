/**
 * Writes a libpcap file of PCMU RTP packets (Ethernet / IPv4 / UDP / RTP, 20 ms each,
 * timestamps 20 ms apart) for SIPp's play_pcap_audio. SIPp takes the UDP payloads and
 * the capture timing; the addresses inside are placeholders.
 */
import { writeFileSync } from 'node:fs';

export function writePcmuPcap(path: string, ulaw: Uint8Array, ssrc = 0x5eed1234): number {
  const frames = Math.floor(ulaw.length / 160);
  const parts: Buffer[] = [];
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0); // microsecond timestamps, little endian
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(65535, 16); // snaplen
  global.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  parts.push(global);
  for (let i = 0; i < frames; i++) {
    const rtp = Buffer.alloc(12 + 160);
    rtp[0] = 0x80;
    rtp[1] = i === 0 ? 0x80 : 0x00; // marker on the first packet, PT 0 (PCMU)
    rtp.writeUInt16BE((1000 + i) & 0xffff, 2);
    rtp.writeUInt32BE((i * 160) >>> 0, 4);
    rtp.writeUInt32BE(ssrc, 8);
    Buffer.from(ulaw.subarray(i * 160, i * 160 + 160)).copy(rtp, 12);
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(40000, 0);
    udp.writeUInt16BE(40002, 2);
    udp.writeUInt16BE(8 + rtp.length, 4);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + udp.length + rtp.length, 2);
    ip[8] = 64; // TTL
    ip[9] = 17; // UDP
    Buffer.from([127, 0, 0, 1]).copy(ip, 12);
    Buffer.from([127, 0, 0, 1]).copy(ip, 16);
    let sum = 0;
    for (let k = 0; k < 20; k += 2) sum += ip.readUInt16BE(k);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    ip.writeUInt16BE(~sum & 0xffff, 10);
    const eth = Buffer.alloc(14);
    eth.writeUInt16BE(0x0800, 12);
    const packet = Buffer.concat([eth, ip, udp, rtp]);
    const record = Buffer.alloc(16);
    const us = i * 20_000;
    record.writeUInt32LE(Math.floor(us / 1e6), 0);
    record.writeUInt32LE(us % 1e6, 4);
    record.writeUInt32LE(packet.length, 8);
    record.writeUInt32LE(packet.length, 12);
    parts.push(record, packet);
  }
  writeFileSync(path, Buffer.concat(parts));
  return frames;
}
