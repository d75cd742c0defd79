/**
 * Registration to a carrier (issue 5): the product, started as the README starts it, keeps
 * a trunk registered at the carrier's registrar with digest authentication, and removes the
 * binding (Expires: 0) when the trunk is disabled through the API — against SIPp acting as a
 * registrar that verifies our digest answers (e2e/sip/scenarios/uas-registrar-auth.xml).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type DemoServer, sleep, startDemo } from '../calls/support/demo-server.ts';
import { freeUdpPort, killAllSipp, SCENARIOS, SIPP_SKIP, startSipp } from '../sip/support/sipp.ts';

describe('trunk registration to a carrier', { skip: SIPP_SKIP, timeout: 120_000 }, () => {
  let server: DemoServer;
  before(async () => {
    server = await startDemo({ UKETSUKE_RTP_PORTS: '35200-35299' });
  });
  after(async () => {
    killAllSipp();
    await server?.close();
  });

  const registered = async (trunk: string): Promise<string | undefined> => {
    const text = await (await fetch(`${server.http}/metrics`)).text();
    return new RegExp(`^uketsuke_trunk_registered\\{trunk="${trunk}"\\} (\\d)`, 'm').exec(
      text,
    )?.[1];
  };

  test('a trunk added through the API registers with digest auth; disabling it unregisters', async () => {
    const port = await freeUdpPort();
    const registrar = startSipp({
      args: [
        '-sf',
        join(SCENARIOS, 'uas-registrar-auth.xml'),
        '-p',
        String(port),
        '-m',
        '1',
        '-timeout',
        '60s',
        '-timeout_error',
      ],
      timeoutMs: 70_000,
    });
    await sleep(300);
    const trunk = await server.api('/trunks', {
      method: 'POST',
      body: {
        name: 'carrier-reg',
        allowedSources: ['127.0.0.1/32'],
        registration: {
          registrar: `sip:127.0.0.1:${port}`,
          username: 'op1',
          password: 'op1-sipp-pass',
          expiresSec: 300,
        },
      },
    });
    assert.equal(trunk.registration.passwordSet, true);
    // The trunk table is followed every 10 s.
    let state: string | undefined;
    for (let i = 0; i < 250 && state !== '1'; i++) {
      await sleep(100);
      state = await registered('carrier-reg');
    }
    assert.equal(state, '1', `not registered: ${server.stderr().slice(-1000)}`);

    await server.api(`/trunks/${trunk.id}`, { method: 'PATCH', body: { enabled: false } });
    const r = await registrar.done;
    assert.equal(r.exitCode, 0, `${r.output.slice(-600)}\n${r.screen.slice(-1200)}`);
    assert.equal(r.successful, 1, 'REGISTER, 401, REGISTER with digest, 200, then Expires: 0');
    assert.equal(await registered('carrier-reg'), undefined, 'no longer followed');
  });
});
