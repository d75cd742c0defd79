/**
 * Kamailio 5.6 (Debian) as a stateful, record-routing proxy in front of our stack, over
 * UDP on 127.0.0.1 only (configuration in support/kamailio.ts):
 *
 *   SIPp uac ──▶ Kamailio ──▶ answering app (our UAS): calls complete, our 2xx echoes the
 *   proxy's Record-Route (§12.1.1, checked by SIPp), ACK and BYE follow the route set
 *   through the proxy; CANCEL while ringing is relayed and ends in 487.
 *
 *   our UAC ──▶ Kamailio (outbound proxy: preloaded Route + destination, §8.1.2) ──▶ SIPp
 *   uas echoing Record-Route: our in-dialog ACK and BYE go through the proxy (SIPp checks
 *   the proxy's Via on the BYE).
 *
 * Outcomes come from SIPp's exit status and -trace_stat counters and from our app's
 * counters. Skipped when SIPp or Kamailio is not installed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { isLoopback, type SessionEnd, SipEndpoint } from '@uketsuke/sip';
import { AnsweringApp, answerSdp } from './support/answering-app.ts';
import {
  type Kamailio,
  KAMAILIO_SKIP,
  killAllKamailio,
  startKamailio,
} from './support/kamailio.ts';
import { uacRecordRoute, uasRecordRoute, writeScenario } from './support/kamailio-scenarios.ts';
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
const SKIP = SIPP_SKIP ?? KAMAILIO_SKIP;

function assertAllSucceeded(r: SippResult, calls: number, kamailio?: Kamailio): void {
  const detail = `exit ${r.exitCode}, ok ${r.successful}, failed ${r.failed}\n${r.screen.slice(-3000)}\n${r.output.slice(-2000)}\nkamailio:\n${kamailio?.output().slice(-2000) ?? ''}`;
  assert.equal(r.exitCode, 0, detail);
  assert.equal(r.successful, calls, detail);
  assert.equal(r.failed, 0, detail);
}

describe('Kamailio as a proxy in front of our stack', { timeout: 6 * TIMEOUT }, () => {
  let app: AnsweringApp;
  let kamailio: Kamailio;
  let dir: string;
  before(async () => {
    if (SKIP !== undefined) return;
    dir = mkdtempSync(join(tmpdir(), 'uk-kamailio-test-'));
    app = await AnsweringApp.start();
    kamailio = await startKamailio({ target: `127.0.0.1:${app.address.port}` });
  });
  afterEach(() => killAllSipp());
  after(async () => {
    killAllSipp();
    await kamailio?.stop();
    killAllKamailio();
    await app?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  test('SIPp uac → Kamailio → our UAS: 20 calls, ACK and BYE via Record-Route', {
    skip: SKIP,
    timeout: TIMEOUT,
  }, async () => {
    const before = { ...app.stats, bye: app.stats.ended['bye/remote'] ?? 0 };
    const r = await runSipp({
      remote: kamailio.address,
      args: [
        '-sf',
        writeScenario(join(dir, 'uac-rr.xml'), uacRecordRoute({ checkRecordRoute: true })),
        '-s',
        'service',
        '-m',
        '20',
        '-r',
        '10',
        '-timeout',
        '60s',
        '-timeout_error',
      ],
    });
    assertAllSucceeded(r, 20, kamailio);
    assert.equal(app.stats.invites - before.invites, 20);
    assert.equal(app.stats.answered - before.answered, 20);
    // Confirmed means the end-to-end ACK reached us through the proxy (§13.3.1.4).
    assert.equal(app.stats.confirmed - before.confirmed, 20);
    assert.equal((app.stats.ended['bye/remote'] ?? 0) - before.bye, 20);
  });

  test('SIPp uac CANCEL while ringing through Kamailio: 200 + 487', {
    skip: SKIP,
    timeout: TIMEOUT,
  }, async () => {
    const before = app.stats.ended['cancelled/remote'] ?? 0;
    const r = await runSipp({
      remote: kamailio.address,
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
    assertAllSucceeded(r, 5, kamailio);
    assert.equal((app.stats.ended['cancelled/remote'] ?? 0) - before, 5);
  });

  test('our UAC with Kamailio as outbound proxy → SIPp uas: 10 calls, BYE via the proxy', {
    skip: SKIP,
    timeout: TIMEOUT,
  }, async () => {
    const endpoint = await SipEndpoint.listen(
      { host: '127.0.0.1', port: 0, allowDestination: isLoopback },
      { user: 'caller' },
    );
    try {
      const port = await freeUdpPort();
      const calls = 10;
      const sipp = startSipp({
        timeoutMs: TIMEOUT - 10_000,
        args: [
          '-sf',
          writeScenario(join(dir, 'uas-rr.xml'), uasRecordRoute({ viaPort: kamailio.port })),
          '-p',
          String(port),
          '-m',
          String(calls),
          '-timeout',
          '60s',
          '-timeout_error',
        ],
      });
      // Give SIPp a moment to bind; INVITE retransmissions cover a late start anyway.
      await new Promise((r) => setTimeout(r, 300));
      const ends: SessionEnd[] = [];
      for (let n = 0; n < calls; n++) {
        // Outbound proxy (§8.1.2): the INVITE carries a preloaded loose Route naming the
        // proxy and is sent there; in-dialog requests then use the Record-Route set.
        const call = endpoint.invite({
          uri: `sip:service@127.0.0.1:${port}`,
          destination: { address: '127.0.0.1', port: kamailio.port },
          headers: [['Route', `<sip:127.0.0.1:${kamailio.port};lr>`]],
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
      assertAllSucceeded(r, calls, kamailio);
    } finally {
      await endpoint.close();
    }
  });
});
