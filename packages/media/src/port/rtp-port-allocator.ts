/**
 * RTP/RTCP port pairs from the configured range (`UKETSUKE_RTP_PORTS`, e.g. 20000-29999).
 *
 * RFC 3550 §11: RTP on an even port, RTCP on the next (odd) one. Allocation binds both
 * sockets — the operating system is the source of truth for what is free, so ports
 * used by other processes are skipped — and walks the range round-robin from where the
 * last allocation ended, so a just-released pair is not immediately reused (late packets
 * of the previous call would land in the new one).
 */
import type { Socket } from 'node:dgram';
import { MediaError, MediaErrorCode } from '../media-error.ts';
import { bindUdpSocket } from './bind-udp-socket.ts';

export interface RtpPortRange {
  min: number;
  max: number;
}

/** Parse "20000-29999" (inclusive). */
export function parseRtpPortRange(text: string): RtpPortRange {
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(text);
  const min = m ? Number(m[1]) : Number.NaN;
  const max = m ? Number(m[2]) : Number.NaN;
  if (!(min >= 1024 && max <= 65535 && max - min >= 1)) {
    throw new MediaError(
      MediaErrorCode.InvalidArgument,
      `bad RTP port range ${JSON.stringify(text)}`,
    );
  }
  return { min, max };
}

export interface RtpSocketPair {
  port: number;
  rtp: Socket;
  rtcp: Socket;
}

export class RtpPortAllocator {
  private readonly first: number;
  private readonly last: number;
  private cursor: number;

  constructor(range: RtpPortRange) {
    this.first = range.min + (range.min % 2); // first even port
    this.last = range.max - 1; // last port that still has port+1 in range
    if (this.first > this.last) {
      throw new MediaError(MediaErrorCode.InvalidArgument, 'RTP port range holds no even/odd pair');
    }
    this.cursor = this.first;
  }

  /** Bind an RTP/RTCP socket pair on `address`. The caller owns (closes) both sockets. */
  async allocate(address: string): Promise<RtpSocketPair> {
    const pairs = Math.floor((this.last - this.first) / 2) + 1;
    for (let attempt = 0; attempt < pairs; attempt++) {
      const port = this.cursor;
      this.cursor = port + 2 > this.last ? this.first : port + 2;
      let rtp: Socket | undefined;
      try {
        rtp = await bindUdpSocket(address, port);
        const rtcp = await bindUdpSocket(address, port + 1);
        return { port, rtp, rtcp };
      } catch (error) {
        rtp?.close();
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
      }
    }
    throw new MediaError(
      MediaErrorCode.PortsExhausted,
      `no free RTP port pair in ${this.first}-${this.last + 1} on ${address}`,
    );
  }
}
