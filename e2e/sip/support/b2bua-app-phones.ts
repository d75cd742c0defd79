/**
 * Real softphones as test peers, headless, each with its own temporary HOME and config
 * directory, no sound device, SIP and RTP on fixed loopback ports:
 *
 * - baresip 1.0, driven through its ctrl_tcp module (netstring-framed JSON commands
 *   "dial", "accept", "hangup"; call events back on the same connection). Audio: the
 *   aubridge module as source and player (a virtual device; ausine only does 48 kHz).
 * - linphonec (liblinphone 5.1), driven through stdin ("call", "answer", "terminate")
 *   with its stdout read for call state lines. No sound card is found, so liblinphone
 *   runs the call without audio I/O.
 *
 * Every process is remembered so `killAllSoftphones` can end it even when a test fails.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BARESIP = process.env.UKETSUKE_BARESIP ?? '/usr/bin/baresip';
export const LINPHONEC = process.env.UKETSUKE_LINPHONEC ?? '/usr/bin/linphonec';
const BARESIP_MODULES = '/usr/lib/baresip/modules';

export const BARESIP_SKIP: string | undefined =
  existsSync(BARESIP) && existsSync(join(BARESIP_MODULES, 'ctrl_tcp.so'))
    ? undefined
    : `baresip with ctrl_tcp not installed (apt-get install baresip)`;
export const LINPHONE_SKIP: string | undefined = existsSync(LINPHONEC)
  ? undefined
  : `linphonec not installed at ${LINPHONEC} (apt-get install linphone-cli)`;

const running = new Set<ChildProcess>();

export function killAllSoftphones(): void {
  for (const p of running) {
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  }
  running.clear();
}

/** Resolve when `check()` is true; reject after `timeoutMs` with `what` and `detail()`. */
export async function waitFor(
  what: string,
  check: () => boolean,
  timeoutMs: number,
  detail: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${detail()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface PhoneAccount {
  user: string;
  password: string;
  /** Registrar / outbound proxy, "127.0.0.1:15100". */
  registrar: string;
  /** Domain of the AOR, "127.0.0.1". */
  domain: string;
}

interface Spawned {
  process: ChildProcess;
  output: string[];
  home: string;
}

function spawnPhone(cmd: string, args: string[], home: string, stdin: boolean): Spawned {
  const proc = spawn(cmd, args, {
    cwd: home,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C' },
    stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
  const output: string[] = [];
  const take = (d: Buffer) => {
    for (const line of d.toString().split('\n')) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: strip ANSI colours
      const clean = line.replace(/\x1b\[[0-9;]*m/g, '').trimEnd();
      if (clean !== '') output.push(clean);
    }
    if (output.length > 4000) output.splice(0, output.length - 4000);
  };
  proc.stdout?.on('data', take);
  proc.stderr?.on('data', take);
  return { process: proc, output, home };
}

async function stop(s: Spawned, gentle: () => void): Promise<void> {
  const p = s.process;
  if (p.exitCode === null && p.signalCode === null) {
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    gentle();
    const timer = setTimeout(() => p.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(s.home, { recursive: true, force: true });
}

// ---- baresip --------------------------------------------------------------------

export interface BaresipEvent {
  type: string;
  peeruri?: string;
  param?: string;
  id?: string;
  [k: string]: unknown;
}

export class Baresip {
  readonly account: PhoneAccount;
  readonly events: BaresipEvent[] = [];
  readonly #spawned: Spawned;
  readonly #ctrl: Socket;
  #buffer = Buffer.alloc(0);
  #token = 0;
  readonly #pending = new Map<string, (r: { ok: boolean; data?: string }) => void>();

  private constructor(account: PhoneAccount, spawned: Spawned, ctrl: Socket) {
    this.account = account;
    this.#spawned = spawned;
    this.#ctrl = ctrl;
    ctrl.on('data', (d: Buffer) => this.#receive(d));
  }

  /** Start baresip on `sipPort` (it also takes sipPort + 1 for TLS) with ctrl_tcp on `ctrlPort`. */
  static async start(
    account: PhoneAccount,
    ports: { sip: number; ctrl: number; rtp: [number, number] },
  ): Promise<Baresip> {
    const home = mkdtempSync(join(tmpdir(), 'uk-baresip-'));
    const dir = join(home, '.baresip');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'config'),
      [
        'poll_method poll',
        `sip_listen 127.0.0.1:${ports.sip}`,
        `module_path ${BARESIP_MODULES}`,
        'module g711.so',
        'module aubridge.so',
        'module_app account.so',
        'module_app menu.so',
        'module_app ctrl_tcp.so',
        `ctrl_tcp_listen 127.0.0.1:${ports.ctrl}`,
        'audio_source aubridge,nil',
        'audio_player aubridge,nil',
        'audio_alert aubridge,nil',
        `rtp_ports ${ports.rtp[0]}-${ports.rtp[1]}`,
        'net_interface 127.0.0.1',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'accounts'),
      `<sip:${account.user}@${account.domain}>;auth_pass=${account.password};outbound="sip:${account.registrar}";regint=60;answermode=manual\n`,
    );
    const spawned = spawnPhone(BARESIP, ['-f', dir, '-s'], home, false);
    let ctrl: Socket | undefined;
    const deadline = Date.now() + 10_000;
    while (ctrl === undefined) {
      try {
        ctrl = await new Promise<Socket>((resolve, reject) => {
          const s = connect(ports.ctrl, '127.0.0.1');
          s.once('connect', () => resolve(s));
          s.once('error', reject);
        });
      } catch (err) {
        if (Date.now() > deadline || spawned.process.exitCode !== null) {
          spawned.process.kill('SIGKILL');
          throw new Error(`baresip ctrl_tcp not reachable: ${err}\n${spawned.output.join('\n')}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return new Baresip(account, spawned, ctrl);
  }

  get output(): string[] {
    return this.#spawned.output;
  }

  /** Netstrings: "<length>:<payload>," (ctrl_tcp). */
  #receive(d: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, d]);
    for (;;) {
      const colon = this.#buffer.indexOf(0x3a);
      if (colon < 0) return;
      const len = Number(this.#buffer.subarray(0, colon).toString());
      if (!Number.isInteger(len) || this.#buffer.length < colon + 1 + len + 1) return;
      const payload = this.#buffer.subarray(colon + 1, colon + 1 + len).toString();
      this.#buffer = this.#buffer.subarray(colon + 1 + len + 1);
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(payload) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (msg.event === true) this.events.push(msg as BaresipEvent);
      else if (msg.response === true && typeof msg.token === 'string') {
        this.#pending.get(msg.token)?.({ ok: msg.ok === true, data: msg.data as string });
        this.#pending.delete(msg.token);
      }
    }
  }

  /** Run a ctrl_tcp command (e.g. "dial", "accept", "hangup"). */
  command(command: string, params = ''): Promise<{ ok: boolean; data?: string }> {
    const token = String(++this.#token);
    const json = JSON.stringify({ command, params, token });
    const bytes = Buffer.byteLength(json);
    return new Promise((resolve) => {
      this.#pending.set(token, resolve);
      this.#ctrl.write(`${bytes}:${json},`);
    });
  }

  hasEvent(type: string): boolean {
    return this.events.some((e) => e.type === type);
  }

  /** Drop the event log (between calls). */
  clearEvents(): void {
    this.events.length = 0;
  }

  async stop(): Promise<void> {
    this.#ctrl.destroy();
    await stop(this.#spawned, () => this.#spawned.process.kill('SIGTERM'));
  }
}

// ---- linphonec ------------------------------------------------------------------

export class Linphone {
  readonly account: PhoneAccount;
  readonly #spawned: Spawned;

  private constructor(account: PhoneAccount, spawned: Spawned) {
    this.account = account;
    this.#spawned = spawned;
  }

  /** `sipExtra`: more [sip] lines, e.g. "100rel=1". */
  static start(
    account: PhoneAccount,
    ports: { sip: number; rtp: number },
    sipExtra: string[] = [],
  ): Linphone {
    const home = mkdtempSync(join(tmpdir(), 'uk-linphone-'));
    mkdirSync(join(home, '.local', 'share', 'linphone'), { recursive: true });
    const rc = join(home, 'linphonerc');
    writeFileSync(
      rc,
      [
        '[sip]',
        `sip_port=${ports.sip}`,
        'sip_tcp_port=0',
        'sip_tls_port=0',
        'bind_address=127.0.0.1',
        'default_proxy=0',
        'register_only_when_network_is_up=0',
        'ipv6=0',
        ...sipExtra,
        '',
        '[rtp]',
        `audio_rtp_port=${ports.rtp}`,
        '',
        '[sound]',
        'echocancellation=0',
        '',
        '[video]',
        'enabled=0',
        'capture=0',
        'display=0',
        '',
        '[proxy_0]',
        `reg_proxy=<sip:${account.registrar};transport=udp>`,
        `reg_identity=sip:${account.user}@${account.domain}`,
        'reg_expires=60',
        'reg_sendregister=1',
        'publish=0',
        '',
        '[auth_info_0]',
        `username=${account.user}`,
        `passwd=${account.password}`,
        '',
      ].join('\n'),
    );
    return new Linphone(account, spawnPhone(LINPHONEC, ['-c', rc, '-d', '0'], home, true));
  }

  get output(): string[] {
    return this.#spawned.output;
  }

  /** Lines printed since `from` that match. */
  saw(pattern: RegExp, from = 0): boolean {
    return this.#spawned.output.slice(from).some((l) => pattern.test(l));
  }

  get mark(): number {
    return this.#spawned.output.length;
  }

  send(line: string): void {
    this.#spawned.process.stdin?.write(`${line}\n`);
  }

  async stop(): Promise<void> {
    await stop(this.#spawned, () => this.send('quit'));
  }
}
