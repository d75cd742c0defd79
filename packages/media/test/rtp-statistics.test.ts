import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  clampCumulativeLost,
  eModelRFactor,
  estimateMos,
  mosFromRFactor,
  RtpPacketView,
  RtpSourceState,
  RtpStreamStats,
} from '../src/index.ts';

function feed(state: RtpSourceState, seqs: number[]): string[] {
  return seqs.map((s) => state.update(s & 0xffff));
}

describe('RTP source state (RFC 3550 §A.1, §A.3, §A.8)', () => {
  test('probation, then valid; wraparound extends the sequence number', () => {
    const s = new RtpSourceState(65533);
    assert.deepEqual(feed(s, [65533, 65534, 65535, 0, 1]), [
      'probation',
      'valid',
      'valid',
      'valid',
      'valid',
    ]);
    assert.equal(s.cycles, 65536);
    assert.equal(s.extendedMaxSeq, 65537);
    assert.equal(s.expected, 4); // base is the packet that ended probation (65534)
    assert.equal(s.cumulativeLost, 0);
  });

  test('loss and interval fraction lost', () => {
    const s = new RtpSourceState(100);
    feed(s, [100, 101, 102, 104, 105, 108]); // 103, 106, 107 missing
    assert.equal(s.cumulativeLost, 3);
    const first = s.takeIntervalLoss();
    assert.equal(first.expectedInterval, 8);
    assert.equal(first.lostInterval, 3);
    assert.equal(first.fractionLost, 96); // 3/8 * 256
    feed(s, [109, 110]);
    assert.equal(s.takeIntervalLoss().fractionLost, 0);
  });

  test('duplicates and late packets; a big jump needs confirmation (restart)', () => {
    const s = new RtpSourceState(10);
    feed(s, [10, 11, 12]);
    assert.equal(s.update(11), 'duplicate-or-late');
    assert.equal(s.cumulativeLost, -1); // duplicates make it negative, as the RFC says
    assert.equal(s.update(20000), 'bad');
    assert.equal(s.update(20001), 'valid'); // resynchronised
    assert.equal(s.expected, 1);
    assert.equal(s.received, 1);
  });

  test('jitter converges to the transit variation', () => {
    const s = new RtpSourceState(0);
    // Packets every 160 ts units; arrival alternates 0 / +80 units late.
    for (let i = 0; i < 500; i++) s.updateJitter(i * 160, i * 160 + (i % 2) * 80);
    assert.ok(Math.abs(s.jitter - 80) < 1, `jitter ${s.jitter}`);
    // Timestamp wraparound does not produce a spike.
    const w = new RtpSourceState(0);
    w.updateJitter(0xffffff60, 1000);
    w.updateJitter(0x00000000, 1160);
    assert.equal(w.jitter, 0);
  });

  test('cumulative lost clamps to 24-bit signed', () => {
    assert.equal(clampCumulativeLost(1e9), 0x7fffff);
    assert.equal(clampCumulativeLost(-1e9), -0x800000);
    assert.equal(clampCumulativeLost(-3), -3);
  });
});

describe('E-model (simplified ITU-T G.107)', () => {
  test('G.711 ceiling and degradation', () => {
    assert.ok(Math.abs(eModelRFactor({ oneWayDelayMs: 0, packetLossPercent: 0 }) - 93.2) < 1e-9);
    const best = estimateMos({ oneWayDelayMs: 0, packetLossPercent: 0 });
    assert.ok(best > 4.4 && best < 4.45, `${best}`);
    const lossy = estimateMos({ oneWayDelayMs: 50, packetLossPercent: 5 });
    const late = estimateMos({ oneWayDelayMs: 400, packetLossPercent: 0 });
    assert.ok(lossy < best && lossy > 1);
    assert.ok(late < best);
    assert.equal(mosFromRFactor(-5), 1);
    assert.equal(mosFromRFactor(120), 4.5);
  });
});

describe('RtpStreamStats', () => {
  test('snapshot, report block and RTT with injected clocks', () => {
    let now = 0;
    let wall = Date.UTC(2026, 0, 1);
    const stats = new RtpStreamStats({ now: () => now, wallClockMs: () => wall });
    const view = new RtpPacketView();
    view.ssrc = 42;
    view.payloadLength = 160;
    for (let i = 0; i < 50; i++) {
      if (i === 10 || i === 11) continue; // two lost
      view.sequenceNumber = 1000 + i;
      view.timestamp = 5000 + i * 160;
      now = i * 20;
      stats.onReceive(view);
      stats.onSend(160);
    }
    const snap = stats.snapshot();
    assert.equal(snap.packets, 48);
    assert.equal(snap.octets, 48 * 160);
    assert.equal(snap.lost, 2);
    assert.equal(snap.jitterMs, 0);
    assert.equal(snap.packetsSent, 48);
    // ~4 % random loss without PLC: Ie,eff ≈ 46 → R ≈ 47 → MOS ≈ 2.4.
    assert.ok(snap.mos < 2.6 && snap.mos > 2.2, `${snap.mos}`);

    stats.onSenderReport({
      type: 'sr',
      ssrc: 42,
      ntpSeconds: 0x12345678,
      ntpFraction: 0x9abc0000,
      rtpTimestamp: 0,
      packetCount: 0,
      octetCount: 0,
      reports: [],
    });
    now += 500;
    const block = stats.buildReportBlock();
    assert.ok(block);
    assert.equal(block.ssrc, 42);
    assert.equal(block.cumulativeLost, 2);
    assert.equal(block.extendedHighestSeq, 1049);
    assert.equal(block.lastSr, 0x56789abc);
    assert.equal(block.delaySinceLastSr, 32768); // 0.5 s in 1/65536 s

    // The remote reports about us: it got our SR (LSR) 100 ms after we sent it and held
    // it 30 ms, we see its report 100 ms later → RTT 200 ms.
    const sentSr = stats.senderInfo(7, 0);
    const lsr = ((sentSr.ntpSeconds & 0xffff) << 16) | (sentSr.ntpFraction >>> 16);
    wall += 230;
    stats.onReportBlock({
      ssrc: 7,
      fractionLost: 0,
      cumulativeLost: 0,
      extendedHighestSeq: 0,
      jitter: 0,
      lastSr: lsr >>> 0,
      delaySinceLastSr: Math.round(0.03 * 65536),
    });
    const rtt = stats.snapshot().rttMs;
    assert.ok(rtt !== undefined && Math.abs(rtt - 200) < 1, `${rtt}`);
    // Peer's DLSR a hair longer than our millisecond wall clock saw: RTT 0, not garbage.
    const report = (dlsrSeconds: number) => ({
      ssrc: 7,
      fractionLost: 0,
      cumulativeLost: 0,
      extendedHighestSeq: 0,
      jitter: 0,
      lastSr: lsr >>> 0,
      delaySinceLastSr: Math.round(dlsrSeconds * 65536),
    });
    stats.onReportBlock(report(0.2302));
    assert.equal(stats.snapshot().rttMs, 0);
    stats.onReportBlock(report(5)); // stale/garbage: ignored
    assert.equal(stats.snapshot().rttMs, 0);
  });
});
