/**
 * Issue 5 "Done when": forwarding and the self-answer toggle against a running demo server
 * (started as the README says), with SIPp as the caller and SIPp UASes standing in for the
 * client's own phone and for a carrier trunk. Outcomes through the REST API and /metrics:
 *
 *   0800-000-0001 self-answer on (toggled by the client admin) → the client phone (SIPp
 *     uas playing audio): media bridged, CDR forwarded, one call_legs row per leg
 *   the caller cancels while the client phone rings → CDR abandoned, legs cancelled
 *   self-answer on, phone unanswered for the step's 20 s → back to the operators' flow
 *   self-answer off → the operators' flow at once, the phone never rings
 *   destination 03-5555-0000 → out through the trunk's outbound address, with the
 *     Request-URI, From and P-Asserted-Identity the caller-ID rule says
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeWavSamples, parseWav } from '@uketsuke/media';
import { SIPP_SKIP } from '../sip/support/sipp.ts';
import {
  type Api,
  apiClient,
  type DemoServer,
  lastCall,
  scenarios,
  sippCall,
  sippUas,
  startDemo,
} from './support/demo-server.ts';

const espeak = existsSync('/usr/bin/espeak-ng');

/** RMS level of each channel of a two-channel recording (16-bit linear after decoding). */
function channelLevels(path: string): { left: number; right: number } {
  const wav = parseWav(readFileSync(path));
  assert.equal(wav.channels, 2);
  const s = decodeWavSamples(wav);
  let l = 0;
  let r = 0;
  for (let i = 0; i + 1 < s.length; i += 2) {
    l += s[i]! * s[i]!;
    r += s[i + 1]! * s[i + 1]!;
  }
  const n = Math.max(1, s.length / 2);
  return { left: Math.round(Math.sqrt(l / n)), right: Math.round(Math.sqrt(r / n)) };
}
const phonePort = 15_601;
const carrierPort = 15_602;
const caller = '09011112222';

describe('forwarding to the client phone and out through a trunk', {
  skip: SIPP_SKIP ?? (espeak ? false : 'espeak-ng is not installed: no prompts to play'),
  timeout: 175_000,
}, () => {
  let server: DemoServer;
  let client: Api;
  let tenantId = '';
  let numberId = '';
  let lastId: string | undefined;
  const next = async () => {
    const c = await lastCall(server, lastId);
    lastId = c.id;
    return c;
  };
  const legsOf = (c: { id: string }) => server.api(`/tenants/${tenantId}/calls/${c.id}/legs`);
  const selfAnswer = (enabled: boolean) =>
    client(`/tenants/${tenantId}/numbers/${numberId}/self-answer`, {
      method: 'PUT',
      body: { enabled },
    });

  before(async () => {
    server = await startDemo({
      UKETSUKE_RTP_PORTS: '36600-36699',
      UKETSUKE_DEMO_FORWARD_URI: `sip:client@127.0.0.1:${phonePort}`,
    });
    const n = (await server.api('/numbers')).find((x: any) => x.e164 === '+818000000001');
    tenantId = n.tenantId;
    numberId = n.id;
    client = await apiClient(server.http, 'client-admin@demo-shoji.example', 'client-demo-pass');
  });
  after(async () => {
    await server?.close();
  });

  test('self-answer off (client admin, through the API): the operators flow at once', async () => {
    assert.equal((await selfAnswer(false)).selfAnswer, false);
    await sippCall(server, {
      scenario: 'call-hangup.xml',
      service: '08000000001',
      keys: { caller },
      extra: ['-d', '800'],
    });
    const c = await next();
    assert.ok(!c.trace.some((t: string) => /dial/.test(t)), c.trace.join('\n'));
    assert.ok(c.trace.some((t: string) => /queue default: no_operators/.test(t)));
    assert.equal(c.hangupBy, 'caller');
    const legs = await legsOf(c);
    assert.deepEqual(
      legs.map((l: any) => l.kind),
      ['inbound'],
    );
  });

  test('self-answer on: bridged to the client phone, RTP both ways, CDR forwarded, one leg row per leg', async () => {
    assert.equal((await selfAnswer(true)).selfAnswer, true);
    const phone = await sippUas({ scenario: 'uas-answer.xml', port: phonePort });
    await sippCall(server, {
      scenario: 'call-hangup.xml',
      service: '08000000001',
      keys: { caller },
      extra: ['-d', '3000'],
    });
    const p = await phone.done;
    assert.equal(p.exitCode, 0, `client phone: ${p.output.slice(-600)}\n${p.screen.slice(-1200)}`);
    const c = await next();
    assert.equal(c.disposition, 'forwarded', c.trace.join('\n'));
    assert.equal(c.hangupBy, 'caller');
    assert.equal(c.billable, true);
    assert.ok(c.answeredAt, 'the caller was answered when the phone answered');
    const legs = await legsOf(c);
    assert.deepEqual(
      legs.map((l: any) => [l.kind, l.outcome, l.hangupBy]),
      [
        ['inbound', 'answered', 'caller'],
        ['outbound', 'answered', 'caller'],
      ],
    );
    const [inbound, out] = legs;
    assert.equal(out.peer, `sip:client@127.0.0.1:${phonePort}`);
    assert.equal(out.fromNumber, '+819011112222');
    assert.ok(out.answeredAt && out.endedAt && out.sipCallId);
    assert.notEqual(out.sipCallId, inbound.sipCallId);
    // Both SIPps talk (g711a.pcap). We received from each, and sent to each.
    assert.ok(inbound.rtpStats.packetsReceived > 0, JSON.stringify(inbound.rtpStats));
    assert.ok(out.rtpStats.packetsReceived > 0, `from the phone: ${JSON.stringify(out.rtpStats)}`);
    assert.ok(out.rtpStats.packetsSent > 0, JSON.stringify(out.rtpStats));
    assert.ok(inbound.rtpStats.packetsSent > 0, JSON.stringify(inbound.rtpStats));
    // The call recording (left = the caller, right = what the caller hears) has the phone's
    // voice on the right: the bridge carried it; nothing else plays on a forwarded call.
    assert.ok(c.recording, 'forwarded calls are recorded');
    const { left, right } = channelLevels(c.recording);
    assert.ok(left > 300, `the caller's audio is recorded (RMS ${left})`);
    assert.ok(right > 300, `the phone's audio reached the caller (RMS ${right})`);
    assert.deepEqual(c.rtpStats, inbound.rtpStats);
  });

  test('the caller cancels while the client phone rings: abandoned, both legs cancelled, a callback task', async () => {
    const phone = await sippUas({ scenario: 'uas-ring-unanswered.xml', port: phonePort });
    await sippCall(server, {
      scenario: 'call-cancel-ringing.xml',
      service: '08000000001',
      keys: { caller },
      extra: ['-d', '1500'],
    });
    const p = await phone.done;
    assert.equal(p.exitCode, 0, `client phone: ${p.output.slice(-600)}\n${p.screen.slice(-1200)}`);
    const c = await next();
    assert.equal(c.disposition, 'abandoned', c.trace.join('\n'));
    assert.equal(c.hangupBy, 'caller');
    assert.equal(c.answeredAt, null);
    const task = await server.api(`/tenants/${tenantId}/callbacks/${c.callbackTaskId}`);
    assert.equal(task.source, 'missed');
    assert.equal(task.callbackNumber, '+819011112222');
    const legs = await legsOf(c);
    assert.deepEqual(
      legs.map((l: any) => [l.kind, l.outcome, l.hangupBy, l.answeredAt]),
      [
        ['inbound', 'cancelled', 'caller', null],
        ['outbound', 'cancelled', 'caller', null],
      ],
    );
  });

  test('self-answer on, the phone not answered within 20 s: back to the operators flow', async () => {
    const phone = await sippUas({ scenario: 'uas-ring-unanswered.xml', port: phonePort });
    await sippCall(server, {
      scenario: 'call-hangup.xml',
      service: '08000000001',
      keys: { caller },
      extra: ['-d', '1000'],
    });
    const p = await phone.done;
    assert.equal(p.exitCode, 0, `client phone: ${p.output.slice(-600)}\n${p.screen.slice(-1200)}`);
    const c = await next();
    const dial = c.trace.findIndex((t: string) => /dial sip:client@[^ ]+: no_answer$/.test(t));
    const queue = c.trace.findIndex((t: string) => /queue default: no_operators/.test(t));
    assert.ok(dial >= 0 && queue > dial, c.trace.join('\n'));
    assert.ok(c.answeredAt, 'answered by the platform for the operators flow');
    assert.equal(c.hangupBy, 'caller');
    const legs = await legsOf(c);
    assert.deepEqual(
      legs.map((l: any) => [l.kind, l.outcome, l.hangupBy]),
      [
        ['inbound', 'answered', 'caller'],
        ['outbound', 'no_answer', 'platform'],
      ],
    );
  });

  test('a destination the platform cannot reach (a host name: no DNS yet): operators instead', async () => {
    await server.api(`/numbers/${numberId}`, {
      method: 'PATCH',
      body: { destination: 'sip:client@phone.example' },
    });
    await sippCall(server, {
      scenario: 'call-hangup.xml',
      service: '08000000001',
      keys: { caller },
      extra: ['-d', '800'],
    });
    const c = await next();
    assert.ok(
      c.trace.some((t: string) => /dial sip:client@phone\.example: failed$/.test(t)),
      c.trace.join('\n'),
    );
    assert.ok(c.trace.some((t: string) => /queue default: no_operators/.test(t)));
    const legs = await legsOf(c);
    assert.deepEqual(
      legs.map((l: any) => [l.kind, l.outcome]),
      [
        ['inbound', 'answered'],
        ['outbound', 'failed'],
      ],
    );
  });

  test('a phone-number destination goes out through the trunk with the caller-ID rule', async () => {
    const [trunk] = await server.api('/trunks');
    const updated = await server.api(`/trunks/${trunk.id}`, {
      method: 'PATCH',
      body: { outbound: { target: `sip:127.0.0.1:${carrierPort}`, numberFormat: 'national' } },
    });
    assert.deepEqual(updated.outbound, {
      target: `sip:127.0.0.1:${carrierPort}`,
      numberFormat: 'national',
    });
    await server.api(`/numbers/${numberId}`, {
      method: 'PATCH',
      body: { destination: '03-5555-0000' },
    });
    // The carrier checks what arrives: R-URI = the destination, From = the caller (the
    // dial step's default rule), P-Asserted-Identity = our number, all written nationally.
    const template = readFileSync(join(scenarios, 'uas-trunk-out.template.xml'), 'utf8');
    const scenario = join(server.dataDir, 'uas-trunk-out.xml');
    writeFileSync(
      scenario,
      template
        .replaceAll('{{RUSER}}', '0355550000')
        .replaceAll('{{FROM_USER}}', caller)
        .replaceAll('{{PAI_USER}}', '08000000001'),
    );
    const carrier = await sippUas({ scenario, port: carrierPort });
    await sippCall(server, {
      scenario: 'call-hangup.xml',
      service: '08000000001',
      keys: { caller },
      extra: ['-d', '2000'],
    });
    const p = await carrier.done;
    assert.equal(p.exitCode, 0, `carrier: ${p.output.slice(-800)}\n${p.screen.slice(-1200)}`);
    const c = await next();
    assert.equal(c.disposition, 'forwarded', c.trace.join('\n'));
    const [, out] = await legsOf(c);
    assert.equal(out.peer, `sip:0355550000@127.0.0.1:${carrierPort};user=phone`);
    assert.equal(out.toNumber, '+81355550000');
    assert.equal(out.fromNumber, '+819011112222');
    assert.equal(out.outcome, 'answered');
    assert.ok(out.rtpStats.packetsReceived > 0, JSON.stringify(out.rtpStats));
  });

  test('no call is left in progress', async () => {
    assert.equal(await server.settled(), 0);
  });
});
