/**
 * Interop with SIPp (Debian `sip-tester`) over real UDP on 127.0.0.1: SIPp's built-in
 * `uac` and `uas`, our custom scenarios (CANCEL while ringing, BYE from the callee,
 * re-INVITE hold/resume, 486/603 rejects), and 20 % packet loss on both sides with zero
 * failed calls. Outcomes come from SIPp's exit code and its -trace_stat counters, plus
 * the answering app's own log. Skipped when SIPp is not installed.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { isLoopback, type SessionEnd, SipEndpoint } from '@uketsuke/sip';
import { AnsweringApp, answerSdp } from './support/answering-app.ts';
import {
  freeUdpPort,
  killAllSipp,
  runSipp,
  SCENARIOS,
  SIPP_SKIP,
  type SippResult,
  startSipp,
} from './support/sipp.ts';

const TIMEOUT = 90_000;

function assertAllSucceeded(r: SippResult, calls: number): void {
  const detail = `exit ${r.exitCode}, stats ${JSON.stringify({ ok: r.successful, failed: r.failed })}\n${r.screen.slice(-3000)}\n${r.output.slice(-2000)}`;
  assert.equal(r.exitCode, 0, detail);
  assert.equal(r.successful, calls, detail);
  assert.equal(r.failed, 0, detail);
}

/** Count column of a message line on SIPp's final scenario screen, e.g. "486 <----". */
function screenCount(screen: string, label: RegExp): number {
  const lines = screen.split('\n').filter((l) => label.test(l));
  const last = lines.at(-1);
  const m = last === undefined ? null : /(?:<-+|-+>)\s+(?:E-RTD\d\s+)?(\d+)/.exec(last);
  return m === null ? 0 : Number(m[1]);
}

describe('SIPp against the answering app (our UAS)', {
  timeout: 5 * TIMEOUT,
}, () => {
  let app: AnsweringApp;
  let remote: string;
  before(async () => {
    if (SIPP_SKIP !== undefined) return;
    app = await AnsweringApp.start();
    remote = `127.0.0.1:${app.address.port}`;
  });
  after(async () => {
    killAllSipp();
    await app?.close();
  });

  test('built-in uac: 20 calls, BYE from SIPp, zero failed', {
    skip: SIPP_SKIP,
    timeout: TIMEOUT,
  }, async () => {
    const before = app.stats.ended['bye/remote'] ?? 0;
    const r = await runSipp({
      remote,
      args: [
        '-sn',
        'uac',
        '-s',
        'service',
        '-m',
        '20',
        '-r',
        '20',
        '-timeout',
        '60s',
        '-timeout_error',
      ],
    });
    assertAllSucceeded(r, 20);
    assert.equal((app.stats.ended['bye/remote'] ?? 0) - before, 20);
  });

  test('built-in uac over TCP (-t t1): 10 calls, zero failed', {
    skip: SIPP_SKIP,
    timeout: TIMEOUT,
  }, async () => {
    const r = await runSipp({
      remote,
      args: [
        '-sn',
        'uac',
        '-t',
        't1',
        '-s',
        'service',
        '-m',
        '10',
        '-r',
        '10',
        '-timeout',
        '60s',
        '-timeout_error',
      ],
    });
    assertAllSucceeded(r, 10);
  });

  test("BYE from our side over TCP: sent on SIPp's connection", {
    skip: SIPP_SKIP,
    timeout: TIMEOUT,
  }, async () => {
    const r = await runSipp({
      remote,
      args: [
        '-sf',
        join(SCENARIOS, 'uac-bye-from-callee.xml'),
        '-t',
        't1',
        '-s',
        'hangup-200',
        '-m',
        '3',
        '-r',
        '10',
        '-timeout',
        '60s',
        '-timeout_error',
      ],
    });
    assertAllSucceeded(r, 3);
  });

  test('CANCEL while ringing: 200 + 487, ACKed', {
    skip: SIPP_SKIP,
    timeout: TIMEOUT,
  }, async () => {
    const before = app.stats.ended['cancelled/remote'] ?? 0;
    const r = await runSipp({
      remote,
      args: [
        '-sf',
        join(SCENARIOS, 'uac-cancel.xml'),
        '-s',
        'ring',
        '-m',
        '5',
        '-r',
        '10',
        '-timeout',
        '60s',
        '-timeout_error',
      ],
    });
    assertAllSucceeded(r, 5);
    assert.equal((app.stats.ended['cancelled/remote'] ?? 0) - before, 5);
  });

  test('BYE from our side (the callee)', { skip: SIPP_SKIP, timeout: TIMEOUT }, async () => {
    const before = app.stats.ended['bye/local'] ?? 0;
    const r = await runSipp({
      remote,
      args: [
        '-sf',
        join(SCENARIOS, 'uac-bye-from-callee.xml'),
        '-s',
        'hangup-200',
        '-m',
        '5',
        '-r',
        '10',
        '-timeout',
        '60s',
        '-timeout_error',
      ],
    });
    assertAllSucceeded(r, 5);
    assert.equal((app.stats.ended['bye/local'] ?? 0) - before, 5);
  });

  test('re-INVITE hold (sendonly → recvonly), resume, UPDATE refresh', {
    skip: SIPP_SKIP,
    timeout: TIMEOUT,
  }, async () => {
    const before = app.stats.reinvites;
    const r = await runSipp({
      remote,
      args: [
        '-sf',
        join(SCENARIOS, 'uac-hold-resume.xml'),
        '-s',
        'service',
        '-m',
        '5',
        '-r',
        '10',
        '-timeout',
        '60s',
        '-timeout_error',
      ],
    });
    assertAllSucceeded(r, 5);
    assert.equal(app.stats.reinvites - before, 10);
  });

  for (const status of [486, 603]) {
    test(`reject with ${status}`, { skip: SIPP_SKIP, timeout: TIMEOUT }, async () => {
      const r = await runSipp({
        remote,
        args: [
          '-sf',
          join(SCENARIOS, 'uac-reject.xml'),
          '-s',
          `reject-${status}`,
          '-m',
          '5',
          '-r',
          '10',
          '-timeout',
          '60s',
          '-timeout_error',
        ],
      });
      assertAllSucceeded(r, 5);
      assert.equal(screenCount(r.screen, new RegExp(`^\\s*${status}\\s+<----`)), 5, r.screen);
    });
  }

  test('20 % loss both ways (-lost 20): 100 calls, zero failed', {
    skip: SIPP_SKIP,
    timeout: 3 * TIMEOUT,
  }, async () => {
    const r = await runSipp({
      remote,
      timeoutMs: 3 * TIMEOUT - 10_000,
      args: [
        '-sn',
        'uac',
        '-s',
        'service',
        '-m',
        '100',
        '-r',
        '20',
        '-lost',
        '20',
        '-timeout',
        '200s',
        '-timeout_error',
      ],
    });
    assertAllSucceeded(r, 100);
    assert.ok(Number(r.stats['Retransmissions(C)']) > 0, 'SIPp retransmitted');
  });
});

describe('our UAC against SIPp built-in uas', { timeout: 3 * TIMEOUT }, () => {
  let endpoint: SipEndpoint;
  before(async () => {
    if (SIPP_SKIP !== undefined) return;
    endpoint = await SipEndpoint.listen(
      { host: '127.0.0.1', port: 0, allowDestination: isLoopback },
      { user: 'caller' },
    );
  });
  afterEach(() => killAllSipp());
  after(async () => {
    killAllSipp();
    await endpoint?.close();
  });

  async function placeCalls(calls: number, lost: number, tcp = false): Promise<SippResult> {
    const port = await freeUdpPort();
    const scenario =
      lost > 0 ? ['-sf', join(SCENARIOS, 'uas-lossy.xml'), '-lost', String(lost)] : ['-sn', 'uas'];
    if (tcp) scenario.push('-t', 't1');
    const sipp = startSipp({
      timeoutMs: 2 * TIMEOUT,
      args: [
        ...scenario,
        '-p',
        String(port),
        '-m',
        String(calls),
        '-timeout',
        '150s',
        '-timeout_error',
      ],
    });
    // Give SIPp a moment to bind; our INVITE retransmissions cover a late start anyway.
    await new Promise((r) => setTimeout(r, 300));
    const ends: SessionEnd[] = [];
    for (let n = 0; n < calls; n++) {
      const call = endpoint.invite({
        uri: `sip:service@127.0.0.1:${port}${tcp ? ';transport=tcp' : ''}`,
        sdp: answerSdp('127.0.0.1'),
      });
      const end = await new Promise<SessionEnd>((resolve) => {
        call.once('answered', () => setTimeout(() => call.bye(), 50));
        call.once('ended', resolve);
      });
      ends.push(end);
    }
    const r = await sipp.done;
    const failures = ends.filter((e) => e.reason !== 'bye' || e.by !== 'local');
    assert.deepEqual(failures, [], JSON.stringify(ends));
    return r;
  }

  test('10 calls placed by our UAC, answered by SIPp, BYE from us', {
    skip: SIPP_SKIP,
    timeout: TIMEOUT,
  }, async () => {
    assertAllSucceeded(await placeCalls(10, 0), 10);
  });

  test('over TCP (-t t1): 5 calls placed by our UAC', {
    skip: SIPP_SKIP,
    timeout: TIMEOUT,
  }, async () => {
    assertAllSucceeded(await placeCalls(5, 0, true), 5);
  });

  test('20 % loss (-lost 20, uas-lossy.xml): 30 calls, zero failed', {
    skip: SIPP_SKIP,
    timeout: 2 * TIMEOUT,
  }, async () => {
    assertAllSucceeded(await placeCalls(30, 20), 30);
  });
});
