import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { clockStartingAt } from '../../src/clock.ts';

test('defaults follow the contract in DESIGN.md', () => {
  const c = loadConfig({}, '/srv/uk');
  assert.equal(c.httpPort, 3000);
  assert.equal(c.sipPort, 5060);
  assert.deepEqual(c.rtpPorts, { min: 20000, max: 29999 });
  assert.equal(c.dataDir, '/srv/uk/data');
  assert.deepEqual(c.database, { dialect: 'sqlite', file: '/srv/uk/data/uketsuke.sqlite' });
  assert.equal(c.smtpUrl, undefined);
  assert.equal(c.demoForwardUri, 'sip:client@127.0.0.1:5090');
});

test('values are read and normalised', () => {
  const c = loadConfig(
    {
      UKETSUKE_HTTP_PORT: '8080',
      UKETSUKE_SIP_PORT: '5070',
      UKETSUKE_SIP_HOST: '203.0.113.7',
      UKETSUKE_RTP_PORTS: '30000-30999',
      UKETSUKE_DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/uk',
      UKETSUKE_DATA_DIR: '/var/lib/uk',
      UKETSUKE_SMTP_URL: 'smtp://127.0.0.1:2525',
      UKETSUKE_ADMIN_EMAIL: 'root@example.com',
      UKETSUKE_ADMIN_PASSWORD: 'long-enough',
    },
    '/',
  );
  assert.equal(c.httpPort, 8080);
  assert.equal(c.sipHost, '203.0.113.7');
  assert.deepEqual(c.rtpPorts, { min: 30000, max: 30999 });
  assert.deepEqual(c.database, { dialect: 'postgres', url: 'postgres://u:p@127.0.0.1:5432/uk' });
  assert.equal(c.dataDir, '/var/lib/uk');
  assert.equal(c.smtpUrl, 'smtp://127.0.0.1:2525');
  assert.deepEqual(loadConfig({ UKETSUKE_DATABASE_URL: 'sqlite:/tmp/x.db' }).database, {
    dialect: 'sqlite',
    file: '/tmp/x.db',
  });
});

test('a wrong value names its variable in one line', () => {
  const cases: [Record<string, string>, string][] = [
    [{ UKETSUKE_HTTP_PORT: 'abc' }, 'UKETSUKE_HTTP_PORT'],
    [{ UKETSUKE_HTTP_PORT: '70000' }, 'UKETSUKE_HTTP_PORT'],
    [{ UKETSUKE_SIP_PORT: '0' }, 'UKETSUKE_SIP_PORT'],
    [{ UKETSUKE_SIP_HOST: 'bad host!' }, 'UKETSUKE_SIP_HOST'],
    [{ UKETSUKE_RTP_PORTS: '30000' }, 'UKETSUKE_RTP_PORTS'],
    [{ UKETSUKE_RTP_PORTS: '30000-20000' }, 'UKETSUKE_RTP_PORTS'],
    [{ UKETSUKE_RTP_PORTS: '80-90' }, 'UKETSUKE_RTP_PORTS'],
    [{ UKETSUKE_DATABASE_URL: 'mysql://x' }, 'UKETSUKE_DATABASE_URL'],
    [{ UKETSUKE_SMTP_URL: 'http://mail' }, 'UKETSUKE_SMTP_URL'],
    [{ UKETSUKE_ADMIN_EMAIL: 'nobody' }, 'UKETSUKE_ADMIN_EMAIL'],
    [{ UKETSUKE_ADMIN_PASSWORD: 'short' }, 'UKETSUKE_ADMIN_PASSWORD'],
    [{ UKETSUKE_LOG_LEVEL: 'loud' }, 'UKETSUKE_LOG_LEVEL'],
    [{ UKETSUKE_DEMO_FORWARD_URI: 'tel:123' }, 'UKETSUKE_DEMO_FORWARD_URI'],
    [{ UKETSUKE_CLOCK_START: 'tomorrow' }, 'UKETSUKE_CLOCK_START'],
    [{ UKETSUKE_CLOCK_START: '2026-11-23T20:00:00' }, 'UKETSUKE_CLOCK_START'],
    [{ UKETSUKE_CLOCK_START: '2026-13-23T20:00:00Z' }, 'UKETSUKE_CLOCK_START'],
  ];
  for (const [env, variable] of cases) {
    assert.throws(
      () => loadConfig(env),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.variable === variable &&
        e.message.startsWith(variable) &&
        !e.message.includes('\n'),
      JSON.stringify(env),
    );
  }
});

test('UKETSUKE_CLOCK_START: a fixed starting instant that then runs in real time', () => {
  assert.equal(loadConfig({}).clockStart, undefined);
  const start = loadConfig({ UKETSUKE_CLOCK_START: '2026-11-23T20:00:00+09:00' }).clockStart;
  assert.equal(start?.toISOString(), '2026-11-23T11:00:00.000Z');
  let real = 1_000_000;
  const clock = clockStartingAt(start!, () => real);
  assert.equal(clock.now().toISOString(), '2026-11-23T11:00:00.000Z');
  real += 1500;
  assert.equal(clock.now().toISOString(), '2026-11-23T11:00:01.500Z');
});
