/**
 * Configuration from the UKETSUKE_* environment (DESIGN.md "Contract other tools rely on").
 * Everything is optional; a wrong value stops start-up with one line naming the variable.
 */
import { isAbsolute, resolve } from 'node:path';

export type DatabaseConfig =
  | { dialect: 'sqlite'; file: string }
  | { dialect: 'postgres'; url: string };

export interface Config {
  httpHost: string;
  httpPort: number;
  sipPort: number;
  /** The address to advertise in SIP/SDP; undefined = pick at start. */
  sipHost: string | undefined;
  rtpPorts: { min: number; max: number };
  dataDir: string;
  database: DatabaseConfig;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  smtpUrl: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Days a released number stays in quarantine before it can be lent again. */
  quarantineDays: number;
  demoForwardUri: string;
  /** Cookie `Secure` attribute: auto = when the request came over HTTPS or to localhost. */
  cookieSecure: 'auto' | 'always' | 'never';
  /** Where people reach the web UI; links in reports point here. */
  publicUrl: string;
  /** The From of report e-mails. */
  mailFrom: string;
  /** First retry delay of a failed report delivery; doubles on each attempt (capped at 1 h). */
  reportRetrySeconds: number;
  /** The service's Chatwork API token; without it Chatwork reports stay queued. */
  chatworkToken: string | undefined;
  chatworkApiUrl: string;
  /**
   * Testing aid: the server's clock starts at this instant and advances in real time
   * (UKETSUKE_CLOCK_START); undefined = the system clock.
   */
  clockStart: Date | undefined;
}

export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

type Env = Record<string, string | undefined>;

function port(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `'${raw}' is not a port number (1-65535)`);
  const n = Number(raw);
  if (n < 1 || n > 65535) throw new ConfigError(name, `${n} is outside 1-65535`);
  return n;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) {
    throw new ConfigError(name, `'${raw}' is not a whole number from ${min} to ${max}`);
  }
  return n;
}

function rtpRange(env: Env): { min: number; max: number } {
  const name = 'UKETSUKE_RTP_PORTS';
  const raw = env[name];
  if (raw === undefined || raw === '') return { min: 20000, max: 29999 };
  const m = /^(\d+)-(\d+)$/.exec(raw);
  if (!m) throw new ConfigError(name, `'${raw}' is not a range like 20000-29999`);
  const min = Number(m[1]);
  const max = Number(m[2]);
  if (min < 1024 || max > 65535 || min >= max) {
    throw new ConfigError(name, `'${raw}' must satisfy 1024 <= min < max <= 65535`);
  }
  // RTP takes even ports and RTCP the odd one above (RFC 3550 §11): need at least one pair.
  if (max - min < 1) throw new ConfigError(name, `'${raw}' holds no RTP/RTCP port pair`);
  return { min, max };
}

function instant(env: Env, name: string): Date | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  // ISO 8601 with an explicit offset, so the instant does not depend on the machine's zone.
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(raw);
  const d = new Date(raw);
  if (!ok || Number.isNaN(d.getTime()))
    throw new ConfigError(
      name,
      `'${raw}' is not an ISO 8601 instant like 2026-11-23T20:00:00+09:00`,
    );
  return d;
}

function database(env: Env, dataDir: string): DatabaseConfig {
  const name = 'UKETSUKE_DATABASE_URL';
  const raw = env[name];
  if (raw === undefined || raw === '')
    return { dialect: 'sqlite', file: resolve(dataDir, 'uketsuke.sqlite') };
  if (/^postgres(ql)?:\/\//.test(raw)) {
    try {
      new URL(raw);
    } catch {
      throw new ConfigError(name, 'is not a valid postgres:// URL');
    }
    return { dialect: 'postgres', url: raw };
  }
  if (raw.startsWith('sqlite:')) {
    const file = raw.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!file)
      throw new ConfigError(name, 'sqlite: needs a file path, e.g. sqlite:./data/uketsuke.sqlite');
    return { dialect: 'sqlite', file: file === ':memory:' ? file : resolve(file) };
  }
  throw new ConfigError(name, `'${raw}' is neither postgres://… nor sqlite:<file>`);
}

function host(env: Env, name: string, fallback: string | undefined): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  // An IPv4/IPv6 literal or a DNS name (RFC 1123 labels).
  const ok =
    /^(\d{1,3}\.){3}\d{1,3}$/.test(raw) ||
    /^[0-9a-fA-F:]+$/.test(raw) ||
    /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(
      raw,
    );
  if (!ok) throw new ConfigError(name, `'${raw}' is not a host name or IP address`);
  return raw;
}

function httpUrl(env: Env, name: string, fallback: string): string {
  const raw = env[name] || fallback;
  try {
    const u = new URL(raw);
    if (u.protocol === 'http:' || u.protocol === 'https:') return raw;
  } catch {}
  throw new ConfigError(name, `'${raw}' is not an http(s) URL`);
}

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const dataDirRaw = env.UKETSUKE_DATA_DIR || './data';
  const dataDir = isAbsolute(dataDirRaw) ? dataDirRaw : resolve(cwd, dataDirRaw);

  const smtpUrl = env.UKETSUKE_SMTP_URL || undefined;
  if (smtpUrl !== undefined) {
    let ok = false;
    try {
      const u = new URL(smtpUrl);
      ok = (u.protocol === 'smtp:' || u.protocol === 'smtps:') && u.hostname !== '';
    } catch {}
    if (!ok)
      throw new ConfigError(
        'UKETSUKE_SMTP_URL',
        `'${smtpUrl}' is not smtp://host:port or smtps://host:port`,
      );
  }

  const adminEmail = env.UKETSUKE_ADMIN_EMAIL || undefined;
  if (adminEmail !== undefined && !/^[^\s@]+@[^\s@]+$/.test(adminEmail)) {
    throw new ConfigError('UKETSUKE_ADMIN_EMAIL', `'${adminEmail}' is not an e-mail address`);
  }
  const adminPassword = env.UKETSUKE_ADMIN_PASSWORD || undefined;
  if (adminPassword !== undefined && adminPassword.length < 8) {
    throw new ConfigError('UKETSUKE_ADMIN_PASSWORD', 'must be at least 8 characters');
  }

  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
  const logLevelRaw = env.UKETSUKE_LOG_LEVEL || 'info';
  const logLevel = levels.find((l) => l === logLevelRaw);
  if (!logLevel)
    throw new ConfigError(
      'UKETSUKE_LOG_LEVEL',
      `'${logLevelRaw}' is not one of ${levels.join(', ')}`,
    );

  const demoForwardUri = env.UKETSUKE_DEMO_FORWARD_URI || 'sip:client@127.0.0.1:5090';
  if (!/^sips?:[^\s]+$/.test(demoForwardUri)) {
    throw new ConfigError('UKETSUKE_DEMO_FORWARD_URI', `'${demoForwardUri}' is not a sip: URI`);
  }

  const cookieSecureRaw = env.UKETSUKE_COOKIE_SECURE || 'auto';
  if (cookieSecureRaw !== 'auto' && cookieSecureRaw !== 'always' && cookieSecureRaw !== 'never') {
    throw new ConfigError(
      'UKETSUKE_COOKIE_SECURE',
      `'${cookieSecureRaw}' is not auto, always or never`,
    );
  }

  const httpPort = port(env, 'UKETSUKE_HTTP_PORT', 3000);
  const publicUrl = env.UKETSUKE_PUBLIC_URL || `http://localhost:${httpPort}`;
  try {
    const u = new URL(publicUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
  } catch {
    throw new ConfigError('UKETSUKE_PUBLIC_URL', `'${publicUrl}' is not an http(s) URL`);
  }
  const mailFrom = env.UKETSUKE_MAIL_FROM || `Uketsuke <reports@${new URL(publicUrl).hostname}>`;
  if (!/^[^<>]*<?[^\s@<>]+@[^\s@<>]+>?$/.test(mailFrom))
    throw new ConfigError('UKETSUKE_MAIL_FROM', `'${mailFrom}' is not an address`);

  return {
    httpHost: host(env, 'UKETSUKE_HTTP_HOST', '0.0.0.0')!,
    httpPort,
    publicUrl,
    mailFrom,
    reportRetrySeconds: int(env, 'UKETSUKE_REPORT_RETRY_SECONDS', 30, 1, 3600),
    chatworkToken: env.UKETSUKE_CHATWORK_TOKEN || undefined,
    chatworkApiUrl: httpUrl(env, 'UKETSUKE_CHATWORK_API_URL', 'https://api.chatwork.com/v2'),
    sipPort: port(env, 'UKETSUKE_SIP_PORT', 5060),
    sipHost: host(env, 'UKETSUKE_SIP_HOST', undefined),
    rtpPorts: rtpRange(env),
    dataDir,
    database: database(env, dataDir),
    adminEmail,
    adminPassword,
    smtpUrl,
    logLevel,
    quarantineDays: int(env, 'UKETSUKE_QUARANTINE_DAYS', 180, 0, 3650),
    demoForwardUri,
    cookieSecure: cookieSecureRaw,
    clockStart: instant(env, 'UKETSUKE_CLOCK_START'),
  };
}
