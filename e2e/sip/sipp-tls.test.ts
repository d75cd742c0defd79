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
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
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
import { KAMAILIO, KAMAILIO_MODULES, KAMAILIO_SKIP } from './support/kamailio.ts';
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

function udpFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createSocket('udp4');
    s.once('error', () => res(false));
    s.bind(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

function tcpFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

async function firstFree(from: number, to: number, free: (p: number) => Promise<boolean>) {
  for (let p = from; p <= to; p++) if (await free(p)) return p;
  throw new Error(`no free port in ${from}–${to}`);
}

/** Kamailio with a UDP and a TLS listener; initial requests to itself go to `uasTls`. */
function kamailioTlsConfig(o: { udp: number; tls: number; uasTls: number; dir: string }): string {
  return `#!KAMAILIO
debug=1
log_stderror=yes
children=1
tcp_children=1
listen=udp:127.0.0.1:${o.udp}
listen=tls:127.0.0.1:${o.tls}
enable_tls=yes
disable_sctp=yes
auto_aliases=no
dns=no
rev_dns=no
use_dns_cache=off
mpath="${KAMAILIO_MODULES}/"
loadmodule "pv.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "maxfwd.so"
loadmodule "siputils.so"
loadmodule "textops.so"
loadmodule "tls.so"
modparam("tls", "config", "${o.dir}/tls.cfg")

request_route {
  if (!mf_process_maxfwd_header("10")) {
    sl_send_reply("483", "Too Many Hops");
    exit;
  }
  if (has_totag()) {
    if (loose_route()) {
      t_relay();
      exit;
    }
    if (method == "ACK") {
      if (t_check_trans()) {
        t_relay();
      }
      exit;
    }
    sl_send_reply("404", "Not Here");
    exit;
  }
  if (method == "CANCEL") {
    if (t_check_trans()) {
      t_relay();
    }
    exit;
  }
  t_check_trans();
  if (is_present_hf("Route")) {
    loose_route();
  }
  record_route();
  if (uri == myself) {
    $du = "sip:127.0.0.1:${o.uasTls};transport=tls";
  }
  if (!t_relay()) {
    sl_reply_error();
  }
  exit;
}
`;
}

function tlsConfig(certFile: string, keyFile: string): string {
  // Kamailio's TLS client verifies our certificate against the test CA (our self-signed
  // certificate); its server does not ask for client certificates.
  return `[server:default]
method = TLSv1.2+
certificate = ${certFile}
private_key = ${keyFile}
verify_certificate = no
require_certificate = no

[client:default]
method = TLSv1.2+
verify_certificate = yes
require_certificate = yes
ca_list = ${certFile}
`;
}

/** Ready when an OPTIONS with Max-Forwards 0 gets 483 on the UDP port. */
function probe(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createSocket('udp4');
    const done = (ok: boolean) => {
      clearTimeout(timer);
      clearInterval(resend);
      s.close();
      res(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    s.on('message', (m) => {
      if (m.toString('latin1').startsWith('SIP/2.0 483')) done(true);
    });
    let send = () => {};
    const resend = setInterval(() => send(), 200);
    s.bind(0, '127.0.0.1', () => {
      const local = s.address().port;
      const msg = [
        `OPTIONS sip:127.0.0.1:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bKtlsprobe${local}`,
        `From: <sip:probe@127.0.0.1:${local}>;tag=probe`,
        `To: <sip:127.0.0.1:${port}>`,
        `Call-ID: tlsprobe-${local}@127.0.0.1`,
        'CSeq: 1 OPTIONS',
        'Max-Forwards: 0',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      send = () => s.send(msg, port, '127.0.0.1');
      send();
    });
  });
}

interface KamailioTls {
  udp: number;
  tls: number;
  output(): string;
  stop(): Promise<void>;
}

async function startKamailioTls(
  dir: string,
  uasTls: number,
  cert: { certFile: string; keyFile: string },
): Promise<KamailioTls> {
  const udp = await firstFree(15200, 15249, udpFree);
  const tls = await firstFree(15250, 15299, tcpFree);
  writeFileSync(join(dir, 'tls.cfg'), tlsConfig(cert.certFile, cert.keyFile));
  const cfg = join(dir, 'kamailio.cfg');
  writeFileSync(cfg, kamailioTlsConfig({ udp, tls, uasTls, dir }));
  const proc: ChildProcess = spawn(
    KAMAILIO,
    ['-f', cfg, '-DD', '-E', '-n', '1', '-w', dir, '-Y', dir, '-P', join(dir, 'kamailio.pid')],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const keep = (d: Buffer) => {
    log = (log + d.toString()).slice(-100_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<void>((res) => proc.once('close', () => res()));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const killer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    }
  };
  const ready = await Promise.race([probe(udp, 10_000), exited.then(() => false)]);
  if (!ready) {
    await stop();
    throw new Error(`Kamailio (TLS) did not start:\n${log.slice(-3000)}`);
  }
  return { udp, tls, output: () => log, stop };
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
  let kamailio: KamailioTls;
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
    kamailio = await startKamailioTls(dir, app.endpoint.transportFor('TLS')?.local.port ?? 0, cert);
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
      remote: `127.0.0.1:${kamailio.udp}`,
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
          writeScenario(join(dir, 'uas-rr.xml'), uasRecordRoute({ viaPort: kamailio.udp })),
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
      for (let n = 0; n < calls; n++) {
        const call = caller.invite({
          uri: `sip:service@127.0.0.1:${port}`,
          destination: { address: '127.0.0.1', port: kamailio.tls },
          transport: 'TLS',
          headers: [['Route', `<sip:127.0.0.1:${kamailio.tls};transport=tls;lr>`]],
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
