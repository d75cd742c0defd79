/**
 * Real calls into the product (issue 5, issue 6): `main.ts --demo` as a newcomer starts it,
 * SIPp as the caller on loopback, a real SMTP server process for the reports. Outcomes are
 * read through the REST API (call records, callback tasks, reports) and the SMTP spool.
 *
 *   0120-000-001  announcement-only: 183 early media, the message, a final 480; never answered
 *   050-1234-5678 IVR: 9 (SIP INFO, typed ahead during the greeting) → announcement → our BYE
 *   050-1234-5678 IVR: 2 → callback capture (number + #, MMDD, HH, confirm 1) → task + e-mail report
 */
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { SmtpSinkProcess } from '@uketsuke/server/test-support/smtp-sink-process.ts';
import { SIPP_SKIP } from '../sip/support/sipp.ts';
import { type DemoServer, lastCall, sippCall, startDemo } from './support/demo-server.ts';

const espeak = existsSync('/usr/bin/espeak-ng');

describe('calls into the demo service with SIPp', {
  skip:
    SIPP_SKIP ??
    (espeak ? false : 'espeak-ng is not installed (apt-get install espeak-ng): no prompts to play'),
  timeout: 300_000,
}, () => {
  let server: DemoServer;
  let sink: SmtpSinkProcess;
  const api = (path: string) => server.api(path);
  /** One SIPp call; returns the call record it left. */
  const call = async (scenario: string, service: string, keys: string[] = []) => {
    const before = (await server.api('/calls?limit=1'))[0]?.id;
    await sippCall(server, { scenario, service, extra: keys, timeoutSec: 150 });
    return lastCall(server, before);
  };

  before(async () => {
    sink = await SmtpSinkProcess.start();
    server = await startDemo({
      UKETSUKE_RTP_PORTS: '34000-34199',
      UKETSUKE_SMTP_URL: sink.url,
    });
  });
  after(async () => {
    await server?.close();
    await sink?.stop();
  });

  test('announcement-only: early media and a final response; never answered, not recorded', async () => {
    const c = await call('announce.xml', '0120000001');
    assert.equal(c.dialed, '0120000001');
    assert.equal(c.disposition, 'announcement');
    assert.equal(c.answeredAt, null);
    assert.equal(c.recording, null);
    assert.equal(c.callerDisplay, '090-1111-2222');
    // Trace lines carry elapsed time; only the event is asserted.
    assert.equal(c.trace.length, 1);
    assert.match(c.trace[0], /^\d+\.\ds early media$/);
    const legs = await api(`/tenants/${c.tenantId}/calls/${c.id}/legs`);
    assert.deepEqual(
      legs.map((l: { kind: string; outcome: string; hangupBy: string }) => [
        l.kind,
        l.outcome,
        l.hangupBy,
      ]),
      [['inbound', 'early_media', 'platform']],
    );
    assert.ok(legs[0].rtpStats.packetsSent > 0, 'the message was sent as RTP');
  });

  test('IVR: 9 by SIP INFO during the greeting → the announcement, then the platform hangs up', async () => {
    const c = await call('ivr-info.xml', '05012345678');
    assert.equal(c.disposition, 'completed');
    assert.ok(c.answeredAt);
    assert.equal(c.hangupBy, 'platform');
    assert.ok(
      c.trace.some((t: string) => /menu 9$/.test(t)),
      c.trace.join('\n'),
    );
    assert.ok(c.recording && statSync(c.recording).size > 44 + 8000, 'the call was recorded');
  });

  test('IVR: 2 → callback capture by SIP INFO → a callback task and an e-mail to the responsible person', async () => {
    // Tomorrow in Japan, 10時: always inside the flow's 9時–18時 and 14-day window.
    const t = new Date(Date.now() + 9 * 3600_000 + 86_400_000);
    const mm = String(t.getUTCMonth() + 1).padStart(2, '0');
    const dd = String(t.getUTCDate()).padStart(2, '0');
    const keys = [
      '-key',
      'd1',
      mm[0]!,
      '-key',
      'd2',
      mm[1]!,
      '-key',
      'd3',
      dd[0]!,
      '-key',
      'd4',
      dd[1]!,
      '-key',
      'h1',
      '1',
      '-key',
      'h2',
      '0',
    ];
    const c = await call('ivr-callback-info.xml', '05012345678', keys);
    assert.equal(c.disposition, 'callback_requested', c.trace.join('\n'));
    const task = await api(`/tenants/${c.tenantId}/callbacks/${c.callbackTaskId}`);
    const weekday = ['日', '月', '火', '水', '木', '金', '土'][t.getUTCDay()];
    const window = `${t.getUTCMonth() + 1}月${t.getUTCDate()}日(${weekday}) 10時~11時`;
    assert.equal(task.callbackNumber, '+81312345678', 'the number the caller keyed in');
    assert.equal(task.windowText, window);
    assert.equal(task.source, 'ivr');
    // The report goes out at once; wait for the SMTP server to have it.
    let mail: any;
    for (let i = 0; i < 100 && !mail; i++) {
      mail = (await sink.messages()).find((m) => /折り返し依頼/.test(m.subject ?? ''));
      if (!mail) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(mail, 'the report e-mail arrived');
    assert.deepEqual(
      mail.to.value.map((v: { address: string }) => v.address),
      ['ito@sample-kogyo.example'],
    );
    assert.match(
      mail.text,
      new RegExp(`^折り返し希望日時: ${window.replace(/[()]/g, '\\$&')}$`, 'm'),
    );
    assert.match(mail.text, /^折り返し先: 03-1234-5678$/m);
    assert.match(mail.text, /^発信者番号: 090-1111-2222$/m);
    const reports = await api(`/tenants/${c.tenantId}/reports?limit=1`);
    assert.equal(reports[0].status, 'sent');
    assert.equal(reports[0].callId, c.id);
  });
});
