/**
 * Call reports by e-mail, end to end without an operator: an IVR caller asks for a callback,
 * the report is written with the task, the worker sends it through a real SMTP server
 * process, and what arrived is parsed with mailparser. Recipient rules, limits, privacy,
 * retries and permanent failures, on both databases.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { InboundCallHandler } from '../../src/call-control/inbound-call-handler.ts';
import { noOperators } from '../../src/call-control/queue-manager.ts';
import { DeliveryWorker } from '../../src/reports/delivery-worker.ts';
import { SmtpSender } from '../../src/reports/smtp-sender.ts';
import { systemActor } from '../../src/services/store.ts';
import { ScriptedChannel } from '../support/scripted-channel.ts';
import { SmtpSinkProcess } from '../support/smtp-sink-process.ts';
import { describeEachDatabase } from '../support/suite.ts';
import { buildWorld, type World } from '../support/world.ts';

describeEachDatabase('call reports by e-mail', (ctx) => {
  let w: World;
  let sink: SmtpSinkProcess;
  // Every worker made here is closed at the end: pooled SMTP connections would keep the
  // test process alive.
  const workers: DeliveryWorker[] = [];
  const track = (wk: DeliveryWorker) => {
    workers.push(wk);
    return wk;
  };
  const worker = (url = sink.url, opts: { backoffBaseMs?: number } = {}) =>
    track(
      new DeliveryWorker({
        store: ctx().services.store,
        senders: {
          email: new SmtpSender({
            url,
            from: 'Uketsuke <reports@uketsuke.test>',
            threadId: (r) => ctx().services.reports.threadId(r.tenantId, r.content.caller),
          }),
        },
        backoffBaseMs: opts.backoffBaseMs ?? 1000,
        maxAttempts: 5,
        onFailedForGood: (d) => ctx().services.reports.handleFailure(d),
      }),
    );
  const ivrCallback = async (inputs: string[], caller = '09011112222') => {
    const h = new InboundCallHandler({
      services: ctx().services,
      queues: noOperators,
      clock: ctx().clock,
    });
    const r = await h.handle({
      sipCallId: `c-${Math.random()}`,
      sourceAddress: '127.0.0.1',
      identity: {
        requestUriUser: '0312340001',
        toUser: null,
        pCalledPartyIdUser: null,
        pAssertedIdentityUser: caller,
        fromUser: caller,
        privacy: [],
      },
      channel: new ScriptedChannel({ inputs }),
    });
    assert.equal(r.kind, 'handled');
    return r as { kind: 'handled'; callId: string };
  };
  const reportsOf = async () =>
    (await w.a.clientAdmin.get(`/api/v1/tenants/${w.a.id}/reports`)).body;

  before(async () => {
    sink = await SmtpSinkProcess.start();
    w = await buildWorld(ctx(), { a: '050-6000-0001', b: '050-6000-0002', free: '050-6000-0003' });
    const s = ctx().services;
    for (const state of ['screening', 'contracted', 'testing', 'live'] as const)
      await s.tenants.transition(systemActor, w.a.id, state);
    await s.trunks.create(systemActor, { name: 'carrier', allowedSources: ['127.0.0.1'] });
    const n = await s.numbers.create(systemActor, { number: '03-1234-0001', purpose: '代表番号' });
    await s.numbers.assign(systemActor, n.id, { tenantId: w.a.id, usageMode: 'display' });
    const f = await s.flows.create(systemActor, w.a.id, 'cb', {
      steps: [{ verb: 'answer' }, { verb: 'callback', reason: '見積もりの件' }],
    });
    await s.numbers.update(systemActor, n.id, { flowId: f.id });
    await s.tenants.update(systemActor, w.a.id, {
      reportChannel: { kind: 'email', mode: 'named' },
    });
  });
  after(async () => {
    for (const wk of workers) await wk.close();
    await sink?.stop();
  });

  test('IVR callback → the responsible person gets the e-mail with the number and window; status sent', async () => {
    // Sat 10:00 JST: keep caller ID (#), date 1122, 10時, confirm.
    const call = await ivrCallback(['', '1122', '10', '1']);
    let reports = await reportsOf();
    assert.equal(reports[0].status, 'queued');
    assert.equal(reports[0].callId, call.callId);
    const sent = await worker().runOnce();
    assert.equal(sent, 1);
    reports = await reportsOf();
    assert.equal(reports[0].status, 'sent');
    const [mail] = await sink.messages();
    assert.ok(mail);
    assert.equal(
      mail.subject,
      `【受電報告】${'A'}${w.a.marker.split('-')[1]!.slice(1)} 株式会社様 折り返し依頼 090-1111-2222`,
    );
    assert.deepEqual(
      (mail.to as { value: { address: string }[] }).value.map((v) => v.address),
      [`boss@a${w.a.marker.split('-')[1]!.slice(1)}.example`],
    );
    assert.match(mail.text ?? '', /^折り返し希望日時: 11月22日\(日\) 10時~11時$/m);
    assert.match(mail.text ?? '', /^折り返し先: 090-1111-2222$/m);
    assert.match(mail.text ?? '', /^着信番号: 03-1234-0001 \(代表番号\)$/m);
    assert.match(
      mail.text ?? '',
      new RegExp(`^詳細: http://localhost:3000/portal/${w.a.id}/calls/${call.callId}$`, 'm'),
    );
    assert.match(
      mail.html || '',
      /<th[^>]*>折り返し希望日時<\/th><td[^>]*>11月22日\(日\) 10時~11時<\/td>/,
    );
    assert.equal(mail.messageId, `<${reports[0].deliveries[0].id}.report@localhost>`);
    assert.equal(mail.references, `<caller.${w.a.id}.819011112222@localhost>`);
    assert.equal(mail.inReplyTo, `<caller.${w.a.id}.819011112222@localhost>`);
    // The raw header is RFC 2047-encoded (the parser decoded it above).
    const raw = (await import('node:fs')).readFileSync(`${sink.dir}/${sink.files()[0]}`, 'utf8');
    assert.match(raw, /^Subject: =\?UTF-8\?[BQ]\?/m);
  });

  test('fixed recipients, limited by plan plus purchased extras', async () => {
    const s = ctx().services;
    const four = ['desk1@a.example', 'desk2@a.example', 'desk3@a.example', 'desk4@a.example'];
    const over = await w.a.clientAdmin.patch(`/api/v1/tenants/${w.a.id}`, {
      reportChannel: { kind: 'email', mode: 'fixed', fixedRecipients: four },
    });
    assert.equal(over.status, 422);
    assert.equal(over.body.code, 'report.recipient_limit');
    await s.tenants.setOption(systemActor, w.a.id, 'extra_report_recipient', 1);
    const ok = await w.a.clientAdmin.patch(`/api/v1/tenants/${w.a.id}`, {
      reportChannel: { kind: 'email', mode: 'fixed', fixedRecipients: four },
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const cut = await w.admin.put(`/api/v1/tenants/${w.a.id}/options/extra_report_recipient`, {
      quantity: 0,
    });
    assert.equal(
      cut.body.code,
      'report.recipient_limit',
      'removing the option would strand a recipient',
    );
    const before = sink.files().length;
    await ivrCallback(['', '1122', '11', '1']);
    await worker().runOnce();
    const mails = (await sink.messages()).slice(before);
    assert.deepEqual(
      mails.map((m) => (m.to as { value: { address: string }[] }).value[0]!.address).sort(),
      four,
    );
    await s.tenants.update(systemActor, w.a.id, {
      reportChannel: { kind: 'email', mode: 'named' },
    });
  });

  test('a named person gets it alone and privately; without an address, the responsible person does', async () => {
    const s = ctx().services;
    const [boss, staff] = w.a.staffIds;
    const tenant = (await s.store.read((r) => r.tenants.get(w.a.id)))!;
    const content = {
      kind: 'message' as const,
      dialed: '+81312340001',
      numberPurpose: '',
      at: ctx().clock.now().toISOString(),
      caller: '+819022223333',
      callerName: '佐藤',
      purpose: '見積もりの件',
    };
    const named = await s.store.write(systemActor, (tx) =>
      s.reports.enqueue(tx, {
        tenant,
        source: 'message',
        sourceId: 'm1',
        callId: null,
        content,
        namedStaffId: staff!,
      }),
    );
    const noMail = await s.staff.create(systemActor, w.a.id, { name: '郵便なし', email: null });
    const fallback = await s.store.write(systemActor, (tx) =>
      s.reports.enqueue(tx, {
        tenant,
        source: 'message',
        sourceId: 'm2',
        callId: null,
        content,
        namedStaffId: noMail.id,
      }),
    );
    const get = (id: string, who = w.a.clientAdmin) =>
      who.get(`/api/v1/tenants/${w.a.id}/reports/${id}`);
    const asAdmin = (await w.admin.get(`/api/v1/tenants/${w.a.id}/reports/${named.id}`)).body;
    assert.equal(asAdmin.private, true);
    assert.deepEqual(
      asAdmin.deliveries.map((d: { recipient: string }) => d.recipient),
      [`staff@a${w.a.marker.split('-')[1]!.slice(1)}.example`],
    );
    const asClient = (await get(named.id, w.a.clientUser)).body;
    assert.equal(asClient.content, null, 'private to the named person');
    assert.equal(asClient.deliveries[0].recipient, null);
    const fb = (await get(fallback.id)).body;
    assert.equal(fb.private, false);
    assert.deepEqual(
      fb.deliveries.map((d: { recipient: string }) => d.recipient),
      [`boss@a${w.a.marker.split('-')[1]!.slice(1)}.example`],
    );
    void boss;
    const before = sink.files().length;
    assert.equal(await worker().runOnce(), 2);
    const mails = (await sink.messages()).slice(before);
    const byTo = Object.fromEntries(
      mails.map((m) => [(m.to as { value: { address: string }[] }).value[0]!.address, m]),
    );
    assert.ok(
      byTo[`staff@a${w.a.marker.split('-')[1]!.slice(1)}.example`],
      'the named person got theirs',
    );
    assert.match(
      byTo[`staff@a${w.a.marker.split('-')[1]!.slice(1)}.example`]!.text ?? '',
      /^お名前: 佐藤$/m,
    );
  });

  test('transient SMTP failures are retried with backoff until sent, once', async () => {
    const flaky = await SmtpSinkProcess.start({ failRate: 1 });
    await ivrCallback(['', '1122', '12', '1']);
    const wk = worker(flaky.url, { backoffBaseMs: 1000 });
    await wk.runOnce();
    let r = (await reportsOf())[0];
    assert.equal(r.status, 'queued');
    assert.equal(r.deliveries[0].attempts, 1);
    assert.match(r.deliveries[0].lastError, /^451/);
    assert.equal(await wk.runOnce(), 0, 'not due before the backoff');
    ctx().clock.advance(1000);
    await wk.runOnce();
    r = (await reportsOf())[0];
    assert.equal(r.deliveries[0].attempts, 2);
    await flaky.stop();
    // The server recovers (a healthy one on another port stands in for it).
    const good = worker(sink.url, { backoffBaseMs: 1000 });
    ctx().clock.advance(2000);
    const before = sink.files().length;
    await good.runOnce();
    r = (await reportsOf())[0];
    assert.equal(r.status, 'sent');
    assert.equal(sink.files().length, before + 1);
    assert.equal(await good.runOnce(), 0, 'nothing is sent twice');
  });

  test('a permanent refusal (550) fails at once with the reason; a missing SMTP leaves it queued', async () => {
    const strict = await SmtpSinkProcess.start({
      rejectRcpt: `boss@a${w.a.marker.split('-')[1]!.slice(1)}.example`,
    });
    await ivrCallback(['', '1122', '13', '1']);
    await worker(strict.url).runOnce();
    const r = (await reportsOf())[0];
    assert.equal(r.status, 'failed');
    assert.match(r.deliveries[0].lastError, /^550/);
    // Every active service admin is alerted by e-mail; the alert does not change the status.
    const alerts = r.deliveries.filter((d: { purpose: string }) => d.purpose === 'alert');
    assert.ok(alerts.length >= 1);
    assert.ok(alerts.some((d: { recipient: string }) => d.recipient === 'admin@test.example'));
    const beforeAlerts = sink.files().length;
    await worker().runOnce();
    const alertMails = (await sink.messages()).slice(beforeAlerts);
    assert.ok(
      alertMails.some(
        (m) =>
          (m.to as { value: { address: string }[] }).value[0]!.address === 'admin@test.example',
      ),
    );
    assert.equal((await reportsOf())[0].status, 'failed');
    await strict.stop();

    await ivrCallback(['', '1122', '14', '1']);
    const none = new DeliveryWorker({ store: ctx().services.store, senders: {} });
    await none.runOnce();
    assert.equal((await reportsOf())[0].status, 'queued');
    // …and a worker that can send picks it up later.
    ctx().clock.advance(200_000);
    await worker().runOnce();
    assert.equal((await reportsOf())[0].status, 'sent');
  });

  test("an operator's message becomes a report to the named person, in the same transaction", async () => {
    const staffId = w.a.staffIds[1]!;
    const bad = await w.operator.post(`/api/v1/tenants/${w.a.id}/messages`, {
      purpose: 'x',
      namedStaffId: w.b.staffIds[0],
    });
    assert.equal(bad.body.code, 'staff.not_found', "only the client's roster can be named");
    const m = await w.operator.post(`/api/v1/tenants/${w.a.id}/messages`, {
      callerCompany: '株式会社テスト',
      callerName: '田中',
      callerNumber: '03-9999-0000',
      callbackNumber: '090-3333-4444',
      callbackWindowStart: '2026-11-24T05:00:00Z',
      callbackWindowEnd: '2026-11-24T06:00:00Z',
      purpose: '請求書の件',
      namedStaffId: staffId,
      urgent: true,
      notes: 'お急ぎのご様子',
    });
    assert.equal(m.status, 201, JSON.stringify(m.body));
    const report = (await w.admin.get(`/api/v1/tenants/${w.a.id}/reports/${m.body.reportId}`)).body;
    assert.equal(report.source, 'message');
    assert.equal(report.private, true);
    const before = sink.files().length;
    await worker().runOnce();
    const [mail] = (await sink.messages()).slice(before);
    assert.ok(mail);
    assert.equal(
      mail.subject,
      `【至急】【受電報告】${report.content.tenantName}様 伝言 株式会社テスト`,
    );
    assert.match(mail.text ?? '', /^名指し人: .+ 担当$/m);
    assert.match(mail.text ?? '', /^折り返し希望日時: 11月24日\(火\) 14時~15時$/m);
    assert.match(mail.text ?? '', /^備考: お急ぎのご様子$/m);
    assert.match(mail.text ?? '', /^緊急度: 至急$/m);
  });

  test('the client acknowledges a report (対応済)', async () => {
    const r = (await reportsOf())[0];
    const ack = await w.a.clientUser.post(`/api/v1/tenants/${w.a.id}/reports/${r.id}/acknowledge`);
    assert.equal(ack.status, 200);
    assert.equal(ack.body.status, 'acknowledged');
    assert.ok(ack.body.acknowledgedAt);
  });

  test('the signed link in the e-mail marks the report handled; GET alone does not', async () => {
    await ivrCallback(['', '1122', '16', '1']);
    const before = sink.files().length;
    await worker().runOnce();
    const [mail] = (await sink.messages()).slice(before);
    const link = /^対応済にする: (http:\/\/localhost:3000\/r\/ack\/(\S+))$/m.exec(mail!.text ?? '');
    assert.ok(link, mail!.text);
    const path = `/r/ack/${link[2]}`;
    const get = await ctx().app.inject({ method: 'GET', url: path });
    assert.equal(get.statusCode, 200);
    assert.match(get.body, /<form method="post">/);
    assert.equal((await reportsOf())[0].status, 'sent', 'a link preview does not acknowledge');
    const forged = await ctx().app.inject({ method: 'POST', url: `${path.slice(0, -3)}AAA` });
    assert.equal(forged.statusCode, 404);
    const post = await ctx().app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    });
    assert.equal(post.statusCode, 200, post.body);
    assert.match(post.body, /対応済にしました/);
    const r = (await reportsOf())[0];
    assert.equal(r.status, 'acknowledged');
    assert.equal(r.acknowledgedBy, 'e-mail link');
    // …and the call behind it reads 対応済 in the history.
    const call = await w.a.clientUser.get(`/api/v1/tenants/${w.a.id}/calls/${r.callId}`);
    assert.equal(call.body.handlingStatus, 'done');
    const reopen = await w.a.clientUser.patch(`/api/v1/tenants/${w.a.id}/calls/${r.callId}`, {
      handlingStatus: 'in_progress',
    });
    assert.equal(reopen.body.handlingStatus, 'in_progress');
  });

  test('urgent reports nobody acknowledges are escalated once: next on the roster, or the emergency contact', async () => {
    const s = ctx().services;
    const tag = w.a.marker.split('-')[1]!.slice(1);
    await s.tenants.update(systemActor, w.a.id, {
      urgentEscalation: { afterMinutes: 10, target: 'next_in_roster' },
      emergencyContact: { name: '緊急', email: 'emergency@a.example' },
    });
    const urgent = await w.operator.post(`/api/v1/tenants/${w.a.id}/messages`, {
      purpose: '至急の件',
      urgent: true,
    });
    const calm = await w.operator.post(`/api/v1/tenants/${w.a.id}/messages`, {
      purpose: '急ぎでない件',
    });
    const handled = await w.operator.post(`/api/v1/tenants/${w.a.id}/messages`, {
      purpose: '至急だが対応済',
      urgent: true,
    });
    await w.a.clientUser.post(
      `/api/v1/tenants/${w.a.id}/reports/${handled.body.reportId}/acknowledge`,
    );
    await worker().runOnce();
    assert.equal(await s.reports.escalateDue(), 0, 'not before the deadline');
    ctx().clock.advance(11 * 60_000);
    assert.equal(await s.reports.escalateDue(), 1, 'only the unacknowledged urgent one');
    assert.equal(await s.reports.escalateDue(), 0, 'once');
    const before = sink.files().length;
    await worker().runOnce();
    const mails = (await sink.messages()).slice(before);
    assert.deepEqual(
      mails.map((m) => (m.to as { value: { address: string }[] }).value[0]!.address),
      [`staff@a${tag}.example`],
    );
    assert.match(mails[0]!.subject ?? '', /^【至急】/);
    const u = (await w.admin.get(`/api/v1/tenants/${w.a.id}/reports/${urgent.body.reportId}`)).body;
    assert.deepEqual(
      u.deliveries.map((d: { recipient: string }) => d.recipient),
      [`boss@a${tag}.example`, `staff@a${tag}.example`],
    );
    assert.equal(
      (await w.admin.get(`/api/v1/tenants/${w.a.id}/reports/${calm.body.reportId}`)).body.deliveries
        .length,
      1,
    );

    await s.tenants.update(systemActor, w.a.id, {
      urgentEscalation: { afterMinutes: 5, target: 'emergency_contact' },
    });
    const again = await w.operator.post(`/api/v1/tenants/${w.a.id}/messages`, {
      purpose: '夜間の至急',
      urgent: true,
    });
    ctx().clock.advance(6 * 60_000);
    assert.equal(await s.reports.escalateDue(), 1);
    const e = (await w.admin.get(`/api/v1/tenants/${w.a.id}/reports/${again.body.reportId}`)).body;
    assert.equal(e.deliveries.at(-1).recipient, 'emergency@a.example');
    await worker().runOnce();
    await s.tenants.update(systemActor, w.a.id, { urgentEscalation: null });
  });

  test("the client's own wording, plain text only: escaped in HTML, limited in length", async () => {
    const tooLong = await w.a.clientAdmin.patch(`/api/v1/tenants/${w.a.id}`, {
      reportWording: { intro: 'あ'.repeat(201) },
    });
    assert.equal(tooLong.status, 400);
    const ok = await w.a.clientAdmin.patch(`/api/v1/tenants/${w.a.id}`, {
      reportWording: {
        intro: '<b>いつも</b>お世話になっております。',
        closing: 'ご確認ください。\n<script>x</script>',
        subjectPrefix: '【A社】',
      },
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    await w.operator.post(`/api/v1/tenants/${w.a.id}/messages`, { purpose: '文言の確認' });
    const before = sink.files().length;
    await worker().runOnce();
    const [mail] = (await sink.messages()).slice(before);
    assert.ok(mail);
    assert.match(mail.subject ?? '', /^【A社】【受電報告】/);
    assert.match(
      mail.text ?? '',
      /^<b>いつも<\/b>お世話になっております。$/m,
      'plain text keeps what they typed',
    );
    assert.match(mail.text ?? '', /^<script>x<\/script>$/m);
    assert.ok(
      !(mail.html || '').includes('<b>いつも') && !(mail.html || '').includes('<script>'),
      'HTML part never carries their markup',
    );
    assert.match(mail.html || '', /&lt;b&gt;いつも&lt;\/b&gt;/);
    await w.a.clientAdmin.patch(`/api/v1/tenants/${w.a.id}`, { reportWording: null });
  });

  test('channel none: the report is kept, marked not sent', async () => {
    await ctx().services.tenants.update(systemActor, w.a.id, { reportChannel: { kind: 'none' } });
    await ivrCallback(['', '1122', '15', '1']);
    assert.equal((await reportsOf())[0].status, 'not_sent');
    await ctx().services.tenants.update(systemActor, w.a.id, {
      reportChannel: { kind: 'email', mode: 'named' },
    });
  });
});
