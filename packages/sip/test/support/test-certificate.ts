/**
 * A throwaway self-signed certificate for TLS tests, made by the `openssl` CLI in a temp
 * directory at test time (never committed). Its subject alternative names are the given
 * DNS names plus 127.0.0.1 and ::1.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OPENSSL = process.env.UKETSUKE_OPENSSL ?? '/usr/bin/openssl';

/** Reason to skip TLS suites, or undefined when openssl is there. */
export const OPENSSL_SKIP: string | undefined = existsSync(OPENSSL)
  ? undefined
  : `openssl not installed at ${OPENSSL}`;

export interface TestCertificate {
  cert: string;
  key: string;
  /** Directory holding cert.pem and key.pem (for external peers); removed by dispose. */
  dir: string;
  certFile: string;
  keyFile: string;
  dispose(): void;
}

export function makeTestCertificate(dnsNames: readonly string[] = ['sip.test']): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'uk-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  const san = [...dnsNames.map((n) => `DNS:${n}`), 'IP:127.0.0.1', 'IP:::1'].join(',');
  execFileSync(
    OPENSSL,
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      `/CN=${dnsNames[0] ?? 'localhost'}`,
      '-addext',
      `subjectAltName=${san}`,
    ],
    { stdio: 'ignore', timeout: 20_000 },
  );
  return {
    cert: readFileSync(certFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
    dir,
    certFile,
    keyFile,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
