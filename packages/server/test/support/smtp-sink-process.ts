import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';

/** The SMTP server process for a test suite; `messages()` parses what it received. */
export class SmtpSinkProcess {
  readonly url: string;
  readonly dir: string;
  readonly #proc: ChildProcess;

  private constructor(url: string, dir: string, proc: ChildProcess) {
    this.url = url;
    this.dir = dir;
    this.#proc = proc;
  }

  static async start(
    opts: { failRate?: number; rejectRcpt?: string; seed?: number } = {},
  ): Promise<SmtpSinkProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'uketsuke-smtp-'));
    const proc = spawn(process.execPath, [resolve(import.meta.dirname, 'smtp-sink.ts')], {
      env: {
        ...process.env,
        OUT_DIR: dir,
        FAIL_RATE: String(opts.failRate ?? 0),
        REJECT_RCPT: opts.rejectRcpt ?? '',
        SEED: String(opts.seed ?? 1),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = await new Promise<number>((res, rej) => {
      let out = '';
      proc.stdout!.on('data', (d: Buffer) => {
        out += d;
        const m = /LISTENING (\d+)/.exec(out);
        if (m) res(Number(m[1]));
      });
      proc.once('exit', (code) => rej(new Error(`smtp sink exited ${code}`)));
    });
    return new SmtpSinkProcess(`smtp://127.0.0.1:${port}`, dir, proc);
  }

  files(): string[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.eml'))
      .sort();
  }

  async messages(): Promise<ParsedMail[]> {
    return Promise.all(this.files().map((f) => simpleParser(readFileSync(join(this.dir, f)))));
  }

  async stop(): Promise<void> {
    if (this.#proc.exitCode === null) {
      const exited = new Promise((r) => this.#proc.once('exit', r));
      this.#proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (this.#proc.exitCode === null) this.#proc.kill('SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
