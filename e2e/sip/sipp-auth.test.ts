/**
 * Digest authentication with SIPp (Debian `sip-tester`) over UDP on 127.0.0.1: REGISTER
 * challenged with 401 and accepted, then removed with Contact: *; and INVITEs from an
 * untrusted source challenged with 407 (RFC 3261 §22.3) before the call is answered.
 * SIPp 3.6 computes MD5 only, so the realm offers MD5 here (SHA-256 is covered in-process
 * by packages/sip/test/registrar.test.ts). Skipped when SIPp is not installed.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  DigestAuthenticator,
  isLoopback,
  MemoryBindingStore,
  Registrar,
  SipEndpoint,
  systemClock,
} from '@uketsuke/sip';
import { answerSdp } from './support/answering-app.ts';
import {
  freeUdpPort,
  killAllSipp,
  runSipp,
  SCENARIOS,
  SIPP_SKIP,
  type SippResult,
  startSipp,
} from './support/sipp.ts';

const TIMEOUT = 60_000;
const USERS: Record<string, string> = { op1: 'op1-demo-pass' };

function assertAllSucceeded(r: SippResult, calls: number): void {
  const detail = `exit ${r.exitCode}\n${r.screen.slice(-3000)}\n${r.output.slice(-2000)}`;
  assert.equal(r.exitCode, 0, detail);
  assert.equal(r.successful, calls, detail);
  assert.equal(r.failed, 0, detail);
}

describe('digest authentication with SIPp', { timeout: 3 * TIMEOUT }, () => {
  let endpoint: SipEndpoint;
  let registrar: Registrar;
  let remote: string;
  const registered: number[] = [];
  let answered = 0;

  before(async () => {
    if (SIPP_SKIP !== undefined) return;
    const auth = new DigestAuthenticator({
      realm: '127.0.0.1',
      clock: systemClock,
      algorithms: ['MD5'],
      lookup: (user) => (USERS[user] === undefined ? undefined : { password: USERS[user] }),
    });
    // Record every change of op1's bindings, in order.
    const store = new MemoryBindingStore();
    const set = store.set.bind(store);
    store.set = (aor, bindings) => {
      if (aor === 'sip:op1@127.0.0.1') registered.push(bindings.length);
      set(aor, bindings);
    };
    registrar = new Registrar({ clock: systemClock, authenticator: auth, store });
    endpoint = await SipEndpoint.listenUdp(
      { host: '127.0.0.1', port: 0, allowDestination: isLoopback },
      {
        onRequest: registrar.handles,
        // No source is trusted here: every INVITE must authenticate.
        screenInvite: auth.screenInvites(() => false),
      },
    );
    endpoint.on('invite', (s) => {
      answered++;
      s.accept(answerSdp('127.0.0.1'));
    });
    remote = `127.0.0.1:${endpoint.local.port}`;
  });

  after(async () => {
    killAllSipp();
    await endpoint?.close();
  });

  test('REGISTER: 401, register, then Contact: * removes it', {
    skip: SIPP_SKIP,
    timeout: TIMEOUT,
  }, async () => {
    const r = await runSipp({
      remote,
      args: [
        '-sf',
        join(SCENARIOS, 'uac-register-auth.xml'),
        '-s',
        'op1',
        '-au',
        'op1',
        '-ap',
        USERS.op1 ?? '',
        '-m',
        '3',
        '-l',
        '1',
        '-r',
        '10',
        '-timeout',
        '40s',
        '-timeout_error',
      ],
    });
    assertAllSucceeded(r, 3);
    // Each cycle: one binding added, then removed by Contact: * (401s change nothing).
    assert.deepEqual(registered, [1, 0, 1, 0, 1, 0]);
    assert.deepEqual(registrar.lookup('sip:op1@127.0.0.1'), []);
  });

  test('wrong password: the REGISTER is challenged again, never accepted', {
    skip: SIPP_SKIP,
    timeout: TIMEOUT,
  }, async () => {
    const r = await runSipp({
      remote,
      args: [
        '-sf',
        join(SCENARIOS, 'uac-register-auth.xml'),
        '-s',
        'op1',
        '-au',
        'op1',
        '-ap',
        'wrong',
        '-m',
        '1',
        '-timeout',
        '20s',
      ],
    });
    assert.equal(r.failed, 1, r.screen.slice(-2000));
    assert.deepEqual(registrar.lookup('sip:op1@127.0.0.1'), []);
  });

  test('INVITE from an untrusted source: 407, then answered', {
    skip: SIPP_SKIP,
    timeout: TIMEOUT,
  }, async () => {
    const before = answered;
    const r = await runSipp({
      remote,
      args: [
        '-sf',
        join(SCENARIOS, 'uac-invite-auth.xml'),
        '-s',
        'op1',
        '-au',
        'op1',
        '-ap',
        USERS.op1 ?? '',
        '-m',
        '3',
        '-r',
        '10',
        '-timeout',
        '40s',
        '-timeout_error',
      ],
    });
    assertAllSucceeded(r, 3);
    assert.equal(answered - before, 3);
  });

  for (const [label, password, ok] of [
    ['right', 'op1-sipp-pass', true],
    ['wrong', 'not-the-password', false],
  ] as const) {
    test(`our REGISTER client, ${label} password, checked by SIPp's verifyauth`, {
      skip: SIPP_SKIP,
      timeout: TIMEOUT,
    }, async () => {
      const port = await freeUdpPort();
      const sipp = startSipp({
        timeoutMs: 30_000,
        args: [
          '-sf',
          join(SCENARIOS, 'uas-registrar-auth.xml'),
          '-p',
          String(port),
          '-m',
          '1',
          '-timeout',
          '20s',
          '-timeout_error',
        ],
      });
      await new Promise((r) => setTimeout(r, 300));
      const events: string[] = [];
      const client = endpoint.register({
        registrar: `sip:127.0.0.1:${port}`,
        aor: 'sip:op1@sipp.test',
        credentials: { username: 'op1', password },
        retryMs: 60_000,
      });
      client.on('registered', (e) => events.push(`registered ${e}`));
      client.on('failed', (st) => events.push(`failed ${st}`));
      await new Promise<void>((resolve) => {
        client.once('registered', () => resolve());
        client.once('failed', () => resolve());
      });
      await client.stop();
      const r = await sipp.done;
      if (ok) {
        assert.deepEqual(events, ['registered 300']);
        assertAllSucceeded(r, 1);
      } else {
        assert.deepEqual(events, ['failed 403']);
        assert.equal(r.failed, 1, r.screen.slice(-2000));
      }
    });
  }
});
