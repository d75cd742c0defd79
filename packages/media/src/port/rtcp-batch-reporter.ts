/**
 * A stream's periodic RTCP reports through the worker's native send batch
 * (port/udp-batch.ts): RtpSession asks this first when it reports. Inside an open batch
 * (a clock sub-tick) the SR/RR + SDES compound is written straight into the batch's
 * buffer from reused fields (rtcp/rtcp-report-writer.ts) and leaves with the tick's RTP
 * in the same native call — nothing allocated per report, no dgram send. A media worker
 * sends one report per stream every ~5 s; as objects plus a dgram send each, they were
 * most of a busy worker's steady-state garbage.
 *
 * The RTCP destination is registered in the batch's table like an RTP one (own slot),
 * and follows the session's RTCP address as it latches. Anything else (BYE, no batch,
 * batch closed, a host name) is left to the session's dgram path.
 */
import type { Socket } from 'node:dgram';
import { isIP } from 'node:net';
import {
  encodeCname,
  RtcpReportFields,
  rtcpReportSize,
  writeRtcpReport,
} from '../rtcp/rtcp-report-writer.ts';
import type { RtpStreamStats } from '../rtp/rtp-stream-stats.ts';
import type { UdpBatch, UdpBatchOwner } from './udp-batch.ts';

export class RtcpBatchReporter {
  private readonly batch: UdpBatch;
  private readonly socket: Socket;
  private readonly owner: UdpBatchOwner;
  private readonly fields = new RtcpReportFields();
  private readonly cname: Uint8Array;
  /** Our slot in the batch's destination table; -1 while reports cannot go natively. */
  private slot = -1;

  /** `onSendFailed`: the kernel refused a batched report (counted as a send error). */
  constructor(batch: UdpBatch, socket: Socket, cname: string, onSendFailed: () => void) {
    this.batch = batch;
    this.socket = socket;
    this.cname = encodeCname(cname);
    this.owner = { onSendFailed };
  }

  /** Where reports go now (initially and whenever the session's RTCP address changes). */
  setDestination(address: string, port: number): void {
    const batch = this.batch;
    if (isIP(address) === 0) {
      // A host name: dgram resolves it (rare; SDP normally carries an address).
      this.close();
    } else if (this.slot >= 0) {
      // update() releases the slot itself when the address cannot be sent natively.
      if (!batch.update(this.slot, this.socket, address, port)) this.slot = -1;
    } else {
      this.slot = batch.register(this.socket, address, port, this.owner);
    }
  }

  /**
   * Queue the periodic report in the open batch; false (nothing done) when the batch is
   * not open or the destination is not registered — send through dgram then.
   */
  trySend(stats: RtpStreamStats, ssrc: number, rtpTimestamp: number): boolean {
    const batch = this.batch;
    if (this.slot < 0 || !batch.collecting) return false;
    const f = this.fields;
    stats.fillReport(f, ssrc, rtpTimestamp);
    const size = rtcpReportSize(f, this.cname);
    const at = batch.reserve(size);
    writeRtcpReport(batch.buffer, at, f, this.cname);
    batch.commit(this.slot, at, size);
    return true;
  }

  /** Leave the batch; before the socket closes (its fd could be reused). Safe twice. */
  close(): void {
    if (this.slot >= 0) this.batch.release(this.slot);
    this.slot = -1;
  }
}
