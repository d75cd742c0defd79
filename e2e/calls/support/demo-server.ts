/**
 * The demo server as a newcomer starts it (`main.ts --demo`, configured by UKETSUKE_*
 * variables), for call tests: a logged-in admin API client, SIPp callers and callees, and
 * the active-calls gauge from /metrics. Everything listens on loopback.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  freeUdpPort,
  killAllSipp,
  runSipp,
  type SippResult,
  startSipp,
} from '../../sip/support/sipp.ts';

const root = resolve(import.meta.dirname, '../../..');
export const scenarios = resolve(import.meta.dirname, '../scenarios');

export const freeTcpPort = () =>
  new Promise<number>((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => res(typeof a === 'object' && a ? a.port : 0));
    });
  });

/** Folders of generated scenarios and pcaps, removed when the server closes. */
const generatedDirs: string[] = [];

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type Api = <T = any>(
  path: string,
  init?: { method?: string; body?: unknown; status?: number },
) => Promise<T>;

/** Logs in (cookie session + CSRF token) and returns a JSON client for /api/v1. */
export async function apiClient(http: string, email: string, password: string): Promise<Api> {
  const login = await fetch(`${http}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(login.status, 200, `login ${email}`);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const csrf = /uketsuke_csrf=([^;]+)/.exec(cookie)?.[1];
  return async (path, init = {}) => {
    const method = init.method ?? 'GET';
    const r = await fetch(`${http}/api/v1${path}`, {
      method,
      headers: {
        cookie,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(method !== 'GET' && csrf ? { 'x-csrf-token': csrf } : {}),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await r.text();
    assert.equal(
      r.status,
      init.status ?? (method === 'POST' ? 201 : 200),
      `${method} ${path}: ${r.status} ${text}`,
    );
    return text ? JSON.parse(text) : undefined;
  };
}

export interface DemoServer {
  http: string;
  sipPort: number;
  dataDir: string;
  /** The server's stderr so far (warnings, errors). */
  stderr(): string;
  /** As the demo's service admin. */
  api: Api;
  /** The uketsuke_active_calls gauge. */
  activeCalls(): Promise<number>;
  /** Waits (bounded) until no call is being handled; returns the last reading. */
  settled(): Promise<number>;
  close(): Promise<void>;
}

/** A port free for both UDP and TCP right now (SIP listens on both). */
async function freeSipPort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const p = await freeUdpPort();
    const tcpFree = await new Promise<boolean>((res) => {
      const s = createServer();
      s.once('error', () => res(false));
      s.listen(p, '127.0.0.1', () => s.close(() => res(true)));
    });
    if (tcpFree) return p;
  }
  throw new Error('no port free for both UDP and TCP');
}

/**
 * Starts the demo; the ports are picked free just before, so another process on this
 * busy machine may take one in between: then it starts again on others (three tries).
 */
export async function startDemo(env: Record<string, string> = {}): Promise<DemoServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDemoOnce(env);
    } catch (err) {
      if (attempt >= 3 || !/EADDRINUSE|port in use/.test((err as Error).message)) throw err;
    }
  }
}

async function startDemoOnce(env: Record<string, string>): Promise<DemoServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'uketsuke-calls-'));
  const port = await freeTcpPort();
  const sipPort = await freeSipPort();
  const http = `http://127.0.0.1:${port}`;
  let stderr = '';
  const proc: ChildProcess = spawn(
    process.execPath,
    [join(root, 'packages/server/src/main.ts'), '--demo'],
    {
      cwd: root,
      env: {
        ...process.env,
        UKETSUKE_DATA_DIR: dataDir,
        UKETSUKE_HTTP_PORT: String(port),
        UKETSUKE_HTTP_HOST: '127.0.0.1',
        UKETSUKE_SIP_PORT: String(sipPort),
        UKETSUKE_LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const close = async () => {
    killAllSipp();
    if (proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
    for (const d of generatedDirs.splice(0)) rmSync(d, { recursive: true, force: true });
  };
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${http}/healthz`)).ok) break;
      } catch {}
      if (proc.exitCode !== null || i > 600) throw new Error(`demo did not start: ${stderr}`);
      await sleep(100);
    }
  } catch (err) {
    await close();
    throw err;
  }
  const api = await apiClient(http, 'admin@example.com', 'admin-demo-pass');
  const activeCalls = async () => {
    const text = await (await fetch(`${http}/metrics`)).text();
    const m = /^uketsuke_active_calls (\d+)/m.exec(text);
    assert.ok(m, 'the active-calls gauge is exported');
    return Number(m[1]);
  };
  return {
    http,
    sipPort,
    dataDir,
    stderr: () => stderr,
    api,
    activeCalls,
    async settled() {
      let n = await activeCalls();
      for (let i = 0; i < 100 && n > 0; i++) {
        await sleep(100);
        n = await activeCalls();
      }
      return n;
    },
    close,
  };
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createSocket('udp4');
    s.once('error', () => res(false));
    s.bind(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

/**
 * A base media port for SIPp in 36700-36979 (the servers take 36500-36699) whose RTP and
 * RTCP ports, and the pair above it (SIPp's video), are free right now: other processes on
 * this machine may hold ports in the range.
 */
const handedOut: number[] = [];

export async function rtpPort(): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const p = 36_700 + Math.floor(Math.random() * 70) * 4;
    // A SIPp started a moment ago may not have bound its port yet: skip recent ones.
    if (handedOut.includes(p)) continue;
    if (
      (await udpFree(p)) &&
      (await udpFree(p + 1)) &&
      (await udpFree(p + 2)) &&
      (await udpFree(p + 3))
    ) {
      handedOut.push(p);
      if (handedOut.length > 20) handedOut.shift();
      return p;
    }
  }
  throw new Error('no free media port for SIPp in 36700-36979');
}

export interface CallOptions {
  scenario: string;
  service: string;
  /** -key name value pairs for [name] in the scenario. */
  keys?: Record<string, string>;
  extra?: string[];
  timeoutSec?: number;
}

function callArgs(o: CallOptions, port: number, mediaPort: number): string[] {
  return [
    '-sf',
    o.scenario.startsWith('/') ? o.scenario : join(scenarios, o.scenario),
    '-s',
    o.service,
    '-m',
    '1',
    '-p',
    String(port),
    '-mp',
    String(mediaPort),
    '-timeout',
    String(o.timeoutSec ?? 120),
    ...Object.entries(o.keys ?? {}).flatMap(([k, v]) => ['-key', k, v]),
    ...(o.extra ?? []),
  ];
}

/** One SIPp call to the server; asserts SIPp saw the scenario through. */
export async function sippCall(server: DemoServer, o: CallOptions): Promise<SippResult> {
  const r = await runSipp({
    remote: `127.0.0.1:${server.sipPort}`,
    args: callArgs(o, await freeUdpPort(), await rtpPort()),
    timeoutMs: ((o.timeoutSec ?? 120) + 10) * 1000,
  });
  assert.equal(
    r.exitCode,
    0,
    `SIPp ${o.scenario}: ${r.output.slice(0, 600)}…${r.output.slice(-600)}\n${r.screen.slice(-1500)}\n${server.stderr().slice(-1500)}`,
  );
  assert.equal(r.successful, 1);
  return r;
}

/** A SIPp UAS (the client's phone, or a carrier) on a fixed port; resolves when it exits. */
export async function sippUas(o: {
  scenario: string;
  port: number;
  extra?: string[];
  timeoutSec?: number;
}) {
  return startSipp({
    args: [
      '-sf',
      o.scenario.startsWith('/') ? o.scenario : join(scenarios, o.scenario),
      '-p',
      String(o.port),
      '-mp',
      String(await rtpPort()),
      '-m',
      '1',
      ...(o.extra ?? []),
    ],
    timeoutMs: (o.timeoutSec ?? 120) * 1000,
  });
}

/** The newest call record (written as the call ends; polled briefly). */
export async function lastCall(server: DemoServer, after?: string): Promise<any> {
  for (let i = 0; i < 50; i++) {
    const [c] = await server.api('/calls?limit=1');
    if (c && c.id !== after) return c;
    await sleep(100);
  }
  throw new Error('no new call record');
}

const shippedPcap = (d: string) =>
  `/usr/share/sip-tester/dtmf_2833_${d === '#' ? 'pound' : d === '*' ? 'star' : d}.pcap`;

/**
 * SIPp replays a pcap's RTP headers as captured, and every shipped dtmf_2833_<d>.pcap has
 * the same SSRC with its own fixed sequence numbers and timestamps (1: 7984, #: 8436, 0:
 * 12080…). Keyed in any order but that one, a receiver following RFC 3550 §A.1 takes a
 * backwards or far jump for a stale or bad packet and RFC 4733 §2.5.1.2 an old timestamp
 * for a late event: the digit is lost. So each key gets a copy of the shipped capture
 * (same payloads: event, volume, durations, end bits) renumbered to carry on from the
 * previous key: sequence numbers and the event timestamp move forward; the UDP checksum
 * is zeroed (optional over IPv4, RFC 768) as the header changed.
 */
function continuingPcap(digit: string, index: number, dir: string): string {
  const data = Buffer.from(readFileSync(shippedPcap(digit)));
  assert.equal(data.readUInt32LE(0), 0xa1b2c3d4, 'a little-endian pcap');
  assert.equal(data.readUInt32LE(20), 1, 'Ethernet frames');
  let off = 24;
  let firstSeq: number | undefined;
  while (off + 16 <= data.length) {
    const len = data.readUInt32LE(off + 8);
    const frame = off + 16;
    const ihl = (data[frame + 14]! & 0x0f) * 4;
    const udp = frame + 14 + ihl;
    const rtp = udp + 8;
    const seq = data.readUInt16BE(rtp + 2);
    firstSeq ??= seq;
    data.writeUInt16BE((1000 + index * 40 + ((seq - firstSeq + 65536) % 65536)) & 0xffff, rtp + 2);
    data.writeUInt32BE(100_000 + index * 16_000, rtp + 4);
    data.writeUInt16BE(0, udp + 6);
    off = frame + len;
  }
  const path = join(dir, `key-${index}.pcap`);
  writeFileSync(path, data);
  return path;
}

/**
 * A caller scenario that keys digits as RFC 4733 events by replaying SIPp's shipped pcaps
 * (/usr/share/sip-tester/dtmf_2833_<d>.pcap) with play_pcap_audio on the call's RTP
 * stream, then either waits for our BYE or hangs up itself after `hangupAfterMs`. With
 * `renumber`, each key is a renumbered copy (see continuingPcap) so any digit order works.
 */
export function dtmfPcapScenario(o: {
  caller: string;
  digits: string;
  gapMs?: number;
  hangupAfterMs?: number;
  renumber?: boolean;
}): string {
  const dir = mkdtempSync(join(tmpdir(), 'uk-dtmf-'));
  generatedDirs.push(dir);
  const file = (d: string, i: number) => (o.renumber ? continuingPcap(d, i, dir) : shippedPcap(d));
  const keys = [...o.digits]
    .map(
      (d, i) => `  <nop><action><exec play_pcap_audio="${file(d, i)}"/></action></nop>
  <pause milliseconds="${o.gapMs ?? 900}"/>`,
    )
    .join('\n');
  const end =
    o.hangupAfterMs === undefined
      ? `  <recv request="BYE" timeout="90000"/>
  <send><![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
  ]]></send>`
      : `  <pause milliseconds="${o.hangupAfterMs}"/>
  <send retrans="500"><![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK-[pid]-[call_number]-bye
      From: <sip:${o.caller}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 3 BYE
      Max-Forwards: 70
      Content-Length: 0
  ]]></send>
  <recv response="200"/>`;
  const xml = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<!-- Generated by e2e/calls/support/demo-server.ts: digits ${o.digits} as RFC 4733 from pcaps. -->
<scenario name="uketsuke RFC 4733 digits ${o.digits}">
  <send retrans="500"><![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK-[pid]-[call_number]-inv
      From: <sip:${o.caller}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:sipp@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=sipp 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 8 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:8 PCMA/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-16
  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rrs="true"/>
  <send><![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK-[pid]-[call_number]-ack
      From: <sip:${o.caller}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0
  ]]></send>
  <pause milliseconds="800"/>
${keys}
${end}
</scenario>
`;
  const path = join(dir, 'dtmf.xml');
  writeFileSync(path, xml);
  return path;
}
