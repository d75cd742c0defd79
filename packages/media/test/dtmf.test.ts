import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type DtmfDigitEvent,
  DtmfReceiver,
  DtmfSender,
  dtmfDigitFromEvent,
  dtmfEventCode,
  formatDtmfBody,
  formatDtmfRelayBody,
  parseDtmfBody,
  parseDtmfRelayBody,
  parseSipInfoDtmf,
  planDtmfEvent,
  readTelephoneEvent,
  writeTelephoneEvent,
} from '../src/index.ts';

describe('telephone-event payload (RFC 4733 §2.3)', () => {
  test('golden bytes', () => {
    const out = new Uint8Array(4);
    writeTelephoneEvent(out, { event: 11, end: true, volume: 10, duration: 800 });
    assert.deepEqual([...out], [11, 0x8a, 0x03, 0x20]);
    assert.deepEqual(readTelephoneEvent(out), { event: 11, end: true, volume: 10, duration: 800 });
    assert.equal(readTelephoneEvent(out, 0, 3), undefined);
  });

  test('digit codes', () => {
    assert.equal(dtmfEventCode('*'), 10);
    assert.equal(dtmfEventCode('#'), 11);
    assert.equal(dtmfEventCode('d'), 15);
    assert.equal(dtmfDigitFromEvent(9), '9');
    assert.equal(dtmfDigitFromEvent(16), undefined);
    assert.throws(() => dtmfEventCode('x'), { code: 'MEDIA_DTMF_INVALID' });
  });
});

describe('DTMF sender (RFC 4733 §2.5.1)', () => {
  test('100 ms digit at 20 ms ptime: marker first, updates, three end packets', () => {
    const plan = planDtmfEvent({ durationMs: 100, ptimeMs: 20 });
    assert.deepEqual(
      plan.map((p) => [p.marker, p.end, p.duration, p.timestampOffset]),
      [
        [true, false, 160, 0],
        [false, false, 320, 0],
        [false, false, 480, 0],
        [false, false, 640, 0],
        [false, true, 800, 0],
        [false, true, 800, 0],
        [false, true, 800, 0],
      ],
    );
  });

  test('a very long event is split into 0xFFFF segments (§2.5.1.3)', () => {
    const plan = planDtmfEvent({ durationMs: 10_000, ptimeMs: 20 }); // 80000 units
    const closing = plan.filter((p) => p.duration === 0xffff);
    assert.equal(closing.length, 1);
    const ends = plan.filter((p) => p.end);
    assert.equal(ends.length, 3);
    for (const e of ends) {
      assert.equal(e.timestampOffset, 0xffff);
      assert.equal(e.duration, 80000 - 0xffff);
    }
    assert.equal(plan.filter((p) => p.marker).length, 1);
  });

  test('queued digits, shared timestamp per digit, gap between digits', () => {
    const sender = new DtmfSender({ durationMs: 60, gapMs: 40, ptimeMs: 20 });
    sender.enqueue('1#');
    assert.throws(() => sender.enqueue('1x'), { code: 'MEDIA_DTMF_INVALID' });
    const frames: { tick: number; marker: boolean; ts: number; bytes: number[] }[] = [];
    for (let tick = 0; tick < 20; tick++) {
      const f = sender.nextFrame(tick * 160);
      if (f) frames.push({ tick, marker: f.marker, ts: f.timestamp, bytes: [...f.payload] });
    }
    // '1': 2 updates + 3 ends at ticks 0..4; gap ticks 5, 6; '#' from tick 7.
    assert.deepEqual(
      frames.map((f) => f.tick),
      [0, 1, 2, 3, 4, 7, 8, 9, 10, 11],
    );
    assert.ok(frames.slice(0, 5).every((f) => f.ts === 0 && f.bytes[0] === 1));
    assert.ok(frames.slice(5).every((f) => f.ts === 7 * 160 && f.bytes[0] === 11));
    assert.equal(frames[0]?.marker, true);
    assert.equal(frames[5]?.marker, true);
    assert.deepEqual(frames[4]?.bytes, [1, 0x8a, 0x01, 0xe0]); // E, vol 10, 480
    assert.equal(sender.pending, 0);
    assert.equal(sender.idle, true);
  });
});

describe('DTMF receiver (RFC 4733 §2.5.2)', () => {
  function pump(
    receiver: DtmfReceiver,
    sender: DtmfSender,
    ticks: number,
    drop?: (i: number) => boolean,
    clock?: { now: number },
  ) {
    let i = 0;
    for (let tick = 0; tick < ticks; tick++) {
      if (clock) clock.now = tick * 20;
      const f = sender.nextFrame(1000 + tick * 160);
      if (f) {
        if (!drop?.(i)) receiver.receive(f.timestamp, f.marker, f.payload);
        i++;
      }
      receiver.poll();
    }
  }

  test('digits surface once, with start time and duration, despite retransmitted ends', () => {
    const clock = { now: 0 };
    const rx = new DtmfReceiver({ now: () => clock.now });
    const digits: DtmfDigitEvent[] = [];
    const starts: string[] = [];
    rx.on('digit', (d) => digits.push(d));
    rx.on('start', (s) => starts.push(s.digit ?? '?'));
    const tx = new DtmfSender({ durationMs: 100, gapMs: 60 });
    tx.enqueue('12*');
    pump(rx, tx, 60, undefined, clock);
    assert.deepEqual(starts, ['1', '2', '*']);
    assert.deepEqual(
      digits.map((d) => [d.digit, d.durationMs, d.endedBy]),
      [
        ['1', 100, 'end-packet'],
        ['2', 100, 'end-packet'],
        ['*', 100, 'end-packet'],
      ],
    );
    assert.equal(digits[0]?.startMs, 0);
    assert.equal(digits[1]?.startMs, 200); // 7 packets + 3 gap ticks later
    assert.equal(digits[0]?.rtpTimestamp, 1000);
  });

  test('lost end packets: closed by the next event or by timeout', () => {
    const clock = { now: 0 };
    const rx = new DtmfReceiver({ now: () => clock.now, timeoutMs: 100 });
    const digits: DtmfDigitEvent[] = [];
    rx.on('digit', (d) => digits.push(d));
    const tx = new DtmfSender({ durationMs: 100, gapMs: 20 });
    tx.enqueue('45');
    // Drop all end packets (indexes 4,5,6 and 11,12,13).
    pump(rx, tx, 40, (i) => (i >= 4 && i <= 6) || (i >= 11 && i <= 13), clock);
    assert.deepEqual(
      digits.map((d) => [d.digit, d.durationMs, d.endedBy]),
      [
        ['4', 80, 'next-event'],
        ['5', 80, 'timeout'],
      ],
    );
  });

  test('only the first start packet lost, or reordering, still yields one digit', () => {
    const rx = new DtmfReceiver({ now: () => 0 });
    const digits: DtmfDigitEvent[] = [];
    rx.on('digit', (d) => digits.push(d));
    const p = (event: number, end: boolean, duration: number) => {
      const b = new Uint8Array(4);
      writeTelephoneEvent(b, { event, end, volume: 10, duration });
      return b;
    };
    rx.receive(500, false, p(7, false, 320)); // marker packet lost
    rx.receive(500, false, p(7, true, 480));
    rx.receive(500, false, p(7, false, 160)); // late update of a finished event
    rx.receive(500, false, p(7, true, 480));
    assert.equal(digits.length, 1);
    assert.equal(digits[0]?.digit, '7');
    rx.receive(1500, true, p(8, true, 480)); // next digit, only its end packet arrives
    rx.receive(500, false, p(7, true, 480)); // a very late end packet of the first digit
    rx.receive(1500, false, p(8, true, 480));
    assert.deepEqual(
      digits.map((d) => d.digit),
      ['7', '8'],
    );
    // A restarted sender (older timestamps) still gets through: marker, or reset().
    rx.receive(100, true, p(1, true, 480));
    rx.reset();
    rx.receive(50, false, p(2, true, 480));
    assert.deepEqual(
      digits.map((d) => d.digit),
      ['7', '8', '1', '2'],
    );
  });

  test('long events spanning segments are merged', () => {
    const rx = new DtmfReceiver({ now: () => 0 });
    const digits: DtmfDigitEvent[] = [];
    rx.on('digit', (d) => digits.push(d));
    const tx = new DtmfSender({ durationMs: 10_000 });
    tx.enqueue('0');
    pump(rx, tx, 600);
    assert.equal(digits.length, 1);
    assert.equal(digits[0]?.durationMs, 10_000);
  });
});

describe('SIP INFO DTMF bodies', () => {
  test('application/dtmf-relay', () => {
    assert.deepEqual(parseDtmfRelayBody('Signal=5\r\nDuration=160\r\n'), {
      digit: '5',
      durationMs: 160,
    });
    assert.deepEqual(parseDtmfRelayBody('signal= #\nduration=250'), {
      digit: '#',
      durationMs: 250,
    });
    assert.deepEqual(parseDtmfRelayBody('Signal=11\r\n'), { digit: '#', durationMs: undefined });
    assert.equal(formatDtmfRelayBody('*', 200), 'Signal=*\r\nDuration=200\r\n');
    assert.throws(() => parseDtmfRelayBody('Duration=160'), { code: 'MEDIA_DTMF_INVALID' });
    assert.throws(() => parseDtmfRelayBody('Signal=Z'), { code: 'MEDIA_DTMF_INVALID' });
  });

  test('application/dtmf and dispatch by content type', () => {
    assert.deepEqual(parseDtmfBody('9\r\n'), { digit: '9', durationMs: undefined });
    assert.deepEqual(parseDtmfBody('10'), { digit: '*', durationMs: undefined });
    assert.equal(formatDtmfBody('a'), 'A');
    assert.equal(parseSipInfoDtmf('Application/DTMF-Relay; charset=utf-8', 'Signal=3')?.digit, '3');
    assert.equal(parseSipInfoDtmf('application/dtmf', '#')?.digit, '#');
    assert.equal(parseSipInfoDtmf('application/sdp', 'v=0'), undefined);
  });
});
