/**
 * Issue 5 "Done when", on the demo server started as the README says with its clock fixed
 * (UKETSUKE_CLOCK_START = Tuesday 2026-12-08 20:00 Japan time, after hours), SIPp as the
 * caller, outcomes read through the REST API and /metrics:
 *
 *   050-1234-5678 after hours → the closed branch (a flow version saved through the API)
 *   digits as RFC 4733 from SIPp's shipped pcaps → callback capture → the right task
 *   a caller on the block list → 603, CDR blocked and not billable
 *   hang-ups in the menu, during callback entry and in the queue → correct CDRs and tasks
 *   and afterwards no call is left in progress.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { SIPP_SKIP } from '../sip/support/sipp.ts';
import {
  type DemoServer,
  dtmfPcapScenario,
  lastCall,
  sippCall,
  startDemo,
} from './support/demo-server.ts';

const espeak = existsSync('/usr/bin/espeak-ng');
const pcaps = existsSync('/usr/share/sip-tester/dtmf_2833_1.pcap');
const caller = '09011112222';

describe('after hours, RFC 4733 digits, block list and hang-ups (fixed clock)', {
  skip: SIPP_SKIP ?? (espeak ? false : 'espeak-ng is not installed: no prompts to play'),
  timeout: 170_000,
}, () => {
  let server: DemoServer;
  let ivrTenant = '';
  let lastId: string | undefined;
  const next = async () => {
    const c = await lastCall(server, lastId);
    lastId = c.id;
    return c;
  };

  before(async () => {
    server = await startDemo({
      UKETSUKE_CLOCK_START: '2026-12-08T20:00:00+09:00',
      UKETSUKE_RTP_PORTS: '36500-36599',
    });
    // The demo IVR gets a business-hours branch, saved through the API as a new version.
    const numbers = await server.api('/numbers');
    const ivr = numbers.find((n: any) => n.e164 === '+815012345678');
    ivrTenant = ivr.tenantId;
    const flow = await server.api(`/tenants/${ivrTenant}/flows/${ivr.flowId}`);
    const weekday = [{ from: '09:00', to: '18:00' }];
    await server.api(`/tenants/${ivrTenant}/flows/${ivr.flowId}`, {
      method: 'PUT',
      body: {
        definition: {
          steps: [
            {
              verb: 'businessHours',
              hours: {
                weekly: { mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday },
                holidays: 'closed',
                closures: [],
              },
              open: flow.definition.steps,
              closed: [
                { verb: 'answer' },
                {
                  verb: 'menu',
                  prompt: 'closed',
                  timeoutSec: 8,
                  attempts: 1,
                  options: {
                    '1': [
                      {
                        verb: 'callback',
                        reason: '営業時間外の折り返し依頼',
                        firstHour: 9,
                        lastHour: 18,
                        maxDaysAhead: 14,
                      },
                    ],
                  },
                  onFailure: [{ verb: 'play', prompt: 'goodbye' }, { verb: 'hangup' }],
                },
              ],
            },
          ],
        },
      },
    });
  });
  after(async () => {
    await server?.close();
  });

  test('the clock override is announced at start as a warning', () => {
    assert.match(
      server.stderr(),
      /WARNING: UKETSUKE_CLOCK_START is set; the clock starts at 2026-12-08T11:00:00\.000Z/,
    );
  });

  test('after hours: the IVR takes the closed branch, then says goodbye and hangs up', async () => {
    await sippCall(server, {
      scenario: 'call-wait-bye.xml',
      service: '05012345678',
      keys: { caller },
    });
    const c = await next();
    assert.equal(c.flowVersion, 2, 'the version saved through the API ran');
    assert.ok(c.offeredAt.startsWith('2026-12-08T11:0'), `the server's clock: ${c.offeredAt}`);
    assert.ok(
      c.trace.some((t: string) => /business hours: closed/.test(t)),
      c.trace.join('\n'),
    );
    assert.ok(
      c.trace.some((t: string) => /menu timeout/.test(t)),
      c.trace.join('\n'),
    );
    assert.equal(c.disposition, 'completed');
    assert.equal(c.hangupBy, 'platform');
    assert.ok(c.answeredAt);
    const legs = await server.api(`/tenants/${ivrTenant}/calls/${c.id}/legs`);
    assert.equal(legs.length, 1);
    assert.equal(legs[0].kind, 'inbound');
    assert.equal(legs[0].outcome, 'answered');
    assert.equal(legs[0].fromNumber, '+819011112222');
    assert.equal(legs[0].sipCallId, c.sipCallId);
    assert.equal(legs[0].toNumber, '+815012345678');
    assert.equal(legs[0].hangupBy, 'platform');
    assert.ok(legs[0].rtpStats.packetsSent > 0, 'prompts were sent to the caller');
  });

  test('callback capture with digits as RFC 4733 events from the shipped pcaps', {
    skip: pcaps ? false : 'SIPp pcaps missing',
  }, async () => {
    // 1 (after-hours menu: callback), # (the caller ID), 1209 (12月9日), 10 (10時), 1 (confirm).
    const scenario = dtmfPcapScenario({ caller, digits: '1#1209101', renumber: true });
    await sippCall(server, { scenario, service: '05012345678' });
    const c = await next();
    assert.equal(c.disposition, 'callback_requested', c.trace.join('\n'));
    assert.equal(c.hangupBy, 'platform');
    const task = await server.api(`/tenants/${ivrTenant}/callbacks/${c.callbackTaskId}`);
    assert.equal(task.callbackNumber, '+819011112222', 'the caller ID, chosen with #');
    assert.equal(task.windowText, '12月9日(水) 10時~11時');
    assert.equal(task.windowStart, '2026-12-09T01:00:00.000Z');
    assert.equal(task.source, 'ivr');
    assert.equal(task.reason, '営業時間外の折り返し依頼');
    assert.equal(task.callId, c.id);
  });

  test('a caller on the block list is declined with 603; the CDR says blocked, not billable', async () => {
    await server.api(`/tenants/${ivrTenant}/block-list`, {
      method: 'POST',
      body: { kind: 'number', value: '090-9999-8888', reason: 'いたずら電話' },
    });
    await sippCall(server, {
      scenario: 'call-603.xml',
      service: '05012345678',
      keys: { caller: '09099998888' },
    });
    const c = await next();
    assert.equal(c.disposition, 'blocked');
    assert.equal(c.billable, false);
    assert.equal(c.sipStatus, 603);
    assert.equal(c.answeredAt, null);
    assert.equal(c.callbackTaskId, null);
    const legs = await server.api(`/tenants/${ivrTenant}/calls/${c.id}/legs`);
    assert.deepEqual(
      legs.map((l: any) => [l.kind, l.outcome, l.sipStatus, l.fromNumber]),
      [['inbound', 'rejected', 603, c.caller]],
    );
  });

  test('hang-up in the menu: abandoned, hung up by the caller, a callback task for the missed call', async () => {
    await sippCall(server, {
      scenario: 'call-hangup.xml',
      service: '05012345678',
      keys: { caller },
      extra: ['-d', '1500'],
    });
    const c = await next();
    assert.equal(c.disposition, 'abandoned', c.trace.join('\n'));
    assert.equal(c.hangupBy, 'caller');
    assert.ok(c.answeredAt);
    const task = await server.api(`/tenants/${ivrTenant}/callbacks/${c.callbackTaskId}`);
    assert.equal(task.source, 'missed');
    assert.equal(task.callbackNumber, '+819011112222');
    const [leg] = await server.api(`/tenants/${ivrTenant}/calls/${c.id}/legs`);
    assert.equal(leg.hangupBy, 'caller');
    assert.ok(leg.rtpStats.packetsReceived > 0, "the caller's audio arrived");
  });

  test('hang-up during callback entry: a task with the caller ID (source abandoned)', async () => {
    const scenario = dtmfPcapScenario({ caller, digits: '1', hangupAfterMs: 1500 });
    await sippCall(server, { scenario, service: '05012345678' });
    const c = await next();
    assert.equal(c.hangupBy, 'caller');
    assert.ok(
      c.trace.some((t: string) => /menu 1$/.test(t)),
      c.trace.join('\n'),
    );
    const task = await server.api(`/tenants/${ivrTenant}/callbacks/${c.callbackTaskId}`);
    assert.equal(task.source, 'abandoned');
    assert.equal(task.callbackNumber, '+819011112222');
    assert.equal(task.windowStart, null);
  });

  test('hang-up in the queue (no operator free, during the busy announcement): abandoned in queue', async () => {
    await sippCall(server, {
      scenario: 'call-hangup.xml',
      service: '0312345678',
      keys: { caller: '09033334444' },
      extra: ['-d', '800'],
    });
    const c = await next();
    assert.equal(c.disposition, 'abandoned_in_queue', c.trace.join('\n'));
    assert.equal(c.hangupBy, 'caller');
    assert.ok(c.queueWaitMs !== null);
    assert.ok(c.trace.some((t: string) => /queue default: no_operators/.test(t)));
    const task = await server.api(`/tenants/${c.tenantId}/callbacks/${c.callbackTaskId}`);
    assert.equal(task.source, 'abandoned');
    assert.equal(task.callbackNumber, '+819033334444');
  });

  test('no call is left in progress', async () => {
    assert.equal(await server.settled(), 0);
  });
});
