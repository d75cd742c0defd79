/**
 * SIP over TLS (RFC 3261 §26.2) against real peers on 127.0.0.1, with a self-signed
 * certificate made by the `openssl` CLI in a temporary directory for this run.
 *
 * Debian's SIPp 3.6.1 is built without OpenSSL (`sipp -t l1` answers "To use a TLS
 * transport you must compile SIPp with OpenSSL"), so the TLS peer is Kamailio 5.6 with its
 * `tls` module, as a record-routing proxy between SIPp (UDP) and our stack (TLS):
 *
 *   SIPp uac ─UDP─▶ Kamailio ─TLS─▶ our answering UAS   (Kamailio's TLS client checks our
 *                                                        certificate against the test CA)
 *   our UAC ─TLS─▶ Kamailio ─UDP─▶ SIPp uas              (we check Kamailio's certificate;
 *                                                        ACK and BYE reuse our connection)
 *
 * When a SIPp with TLS is installed, a direct SIPp `-t l1` run against our UAS also runs.
 * Skipped when SIPp, Kamailio (with tls.so) or openssl is missing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { isLoopback, type SessionEnd, SipEndpoint, TlsEndpointTransport } from '@uketsuke/sip';
import {
  makeTestCertificate,
  OPENSSL_SKIP,
  type TestCertificate,
} from '@uketsuke/sip/test-support/test-certificate.ts';
import { AnsweringApp, answerSdp } from './support/answering-app.ts';
import {
  type Kamailio,
  KAMAILIO_MODULES,
  KAMAILIO_SKIP,
  startKamailio,
} from './support/kamailio.ts';
import { uacRecordRoute, uasRecordRoute, writeScenario } from './support/kamailio-scenarios.ts';
import {
  freeUdpPort,
  killAllSipp,
  runSipp,
  SIPP,
  SIPP_SKIP,
  type SippResult,
  startSipp,
} from './support/sipp.ts';

const TIMEOUT = 90_000;
const SKIP =
  SIPP_SKIP ??
  KAMAILIO_SKIP ??
  (existsSync(join(KAMAILIO_MODULES, 'tls.so')) ? undefined : 'Kamailio tls module missing') ??
  OPENSSL_SKIP;

/** Whether this SIPp was built with TLS (it refuses `-t l1` otherwise). */
function sippHasTls(): boolean {
  if (SIPP_SKIP !== undefined) return false;
  const r = spawnSync(SIPP, ['127.0.0.1:9', '-t', 'l1', '-m', '1', '-timeout', '1s', '-nostdin'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  return !`${r.stdout}${r.stderr}`.includes('compile SIPp with OpenSSL');
}

function assertAllSucceeded(r: SippResult, calls: number, extra: string): void {
  const detail = `exit ${r.exitCode}, ok ${r.successful}, failed ${r.failed}\n${r.screen.slice(-3000)}\n${r.output.slice(-2000)}\n${extra}`;
  assert.equal(r.exitCode, 0, detail);
  assert.equal(r.successful, calls, detail);
  assert.equal(r.failed, 0, detail);
}

describe('SIP over TLS with Kamailio (and SIPp) as peers', { timeout: 4 * TIMEOUT }, () => {
  let dir: string;
  let cert: TestCertificate;
  let app: AnsweringApp;
  let kamailio: Kamailio;
  before(async () => {
    if (SKIP !== undefined) return;
    dir = mkdtempSync(join(tmpdir(), 'uk-sipp-tls-'));
    cert = makeTestCertificate(['sip.test']);
    app = await AnsweringApp.start();
    app.endpoint.attach(
      await TlsEndpointTransport.listen(
        {
          host: '127.0.0.1',
          port: 0,
          cert: cert.cert,
          key: cert.key,
          allowDestination: isLoopback,
        },
        app.endpoint,
      ),
    );
    kamailio = await startKamailio({
      portRange: [15200, 15249],
      // Initial requests to the proxy itself go on to our UAS over TLS.
      target: `sip:127.0.0.1:${app.endpoint.transportFor('TLS')?.local.port ?? 0};transport=tls`,
      tls: { certFile: cert.certFile, keyFile: cert.keyFile, portRange: [15250, 15299] },
    });
  });
  afterEach(() => killAllSipp());
  after(async () => {
    killAllSipp();
    await kamailio?.stop();
    await app?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    cert?.dispose();
  });

  test('SIPp uac ─UDP─▶ Kamailio ─TLS─▶ our UAS: 20 calls with ACK and BYE over TLS', {
    skip: SKIP,
    timeout: TIMEOUT,
  }, async () => {
    const before = { ...app.stats, bye: app.stats.ended['bye/remote'] ?? 0 };
    const r = await runSipp({
      remote: `127.0.0.1:${kamailio.port}`,
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
    assertAllSucceeded(r, 20, `kamailio:\n${kamailio.output().slice(-3000)}`);
    assert.equal(app.stats.invites - before.invites, 20);
    // Confirmed: the ACK came through Kamailio over TLS; BYE likewise.
    assert.equal(app.stats.confirmed - before.confirmed, 20);
    assert.equal((app.stats.ended['bye/remote'] ?? 0) - before.bye, 20);
    // They reached the TLS listener (a distinct port that speaks only TLS).
    const tls = app.endpoint.transportFor('TLS') as TlsEndpointTransport;
    assert.ok(tls.connectionCount >= 1);
  });

  test('our UAC ─TLS─▶ Kamailio ─UDP─▶ SIPp uas: 10 calls, BYE via the proxy', {
    skip: SKIP,
    timeout: TIMEOUT,
  }, async () => {
    const caller = await SipEndpoint.listen(
      {
        host: '127.0.0.1',
        port: 0,
        allowDestination: isLoopback,
        // Trust only the test certificate: Kamailio must present it for 127.0.0.1.
        tls: { port: 0, ca: cert.cert },
      },
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
      await new Promise((r) => setTimeout(r, 300));
      const ends: SessionEnd[] = [];
      const tlsPort = kamailio.tlsPort ?? 0;
      for (let n = 0; n < calls; n++) {
        const call = caller.invite({
          uri: `sip:service@127.0.0.1:${port}`,
          destination: { address: '127.0.0.1', port: tlsPort },
          transport: 'TLS',
          headers: [['Route', `<sip:127.0.0.1:${tlsPort};transport=tls;lr>`]],
          sdp: answerSdp('127.0.0.1'),
        });
        assert.match(call.request.headers.get('via') ?? '', /^SIP\/2\.0\/TLS /);
        ends.push(
          await new Promise<SessionEnd>((resolve) => {
            call.once('answered', () => setTimeout(() => call.bye(), 50));
            call.once('ended', resolve);
          }),
        );
      }
      const r = await sipp.done;
      assert.deepEqual(
        ends.filter((e) => e.reason !== 'bye' || e.by !== 'local'),
        [],
        `${JSON.stringify(ends)}\n${kamailio.output().slice(-3000)}`,
      );
      assertAllSucceeded(r, calls, `kamailio:\n${kamailio.output().slice(-3000)}`);
      // Every request of every call went over one TLS connection to Kamailio.
      assert.equal((caller.transportFor('TLS') as TlsEndpointTransport).connectionCount, 1);
    } finally {
      await caller.close();
    }
  });

  test('SIPp uac directly over TLS (-t l1) to our UAS', {
    skip:
      SKIP ?? (sippHasTls() ? undefined : 'this SIPp was built without OpenSSL (-t l1 refused)'),
    timeout: TIMEOUT,
  }, async () => {
    const r = await runSipp({
      remote: `127.0.0.1:${app.endpoint.transportFor('TLS')?.local.port}`,
      args: [
        '-t',
        'l1',
        '-tls_cert',
        cert.certFile,
        '-tls_key',
        cert.keyFile,
        '-sn',
        'uac',
        '-m',
        '5',
        '-timeout',
        '60s',
        '-timeout_error',
      ],
    });
    assertAllSucceeded(r, 5, '');
  });
});
