/**
 * Reports to chat and webhooks: Chatwork through a local fake of its API v2, Slack / Teams /
 * LINE WORKS incoming webhooks and a signed generic webhook through a local HTTP receiver.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { after, before, test } from 'node:test';
import { ChatworkSender } from '../../src/reports/chatwork-sender.ts';
import { DeliveryWorker } from '../../src/reports/delivery-worker.ts';
import {
  genericWebhookSender,
  lineWorksSender,
  slackSender,
  teamsSender,
} from '../../src/reports/webhook-senders.ts';
import { systemActor } from '../../src/services/store.ts';
import { ChatworkFake } from '../support/chatwork-fake.ts';
import { describeEachDatabase } from '../support/suite.ts';
import { buildWorld, type World } from '../support/world.ts';

interface Hit {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describeEachDatabase('call reports to chat and webhooks', (ctx) => {
  let w: World;
  let fake: ChatworkFake;
  const hits: Hit[] = [];
  let hookStatus = 200;
  const hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c;
    });
    req.on('end', () => {
      hits.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(hookStatus, hookStatus === 429 ? { 'retry-after': '7' } : {});
      res.end(hookStatus === 200 ? 'ok' : 'slow down');
    });
  });
  let hookUrl = '';
  const worker = () =>
    new DeliveryWorker({
      store: ctx().services.store,
      senders: {
        chatwork: new ChatworkSender({ apiUrl: fake.url, token: 'cw-token' }),
        slack: slackSender,
        teams: teamsSender,
        line_works: lineWorksSender,
        webhook: genericWebhookSender((t) => ctx().services.reports.webhookSecret(t)),
      },
      backoffBaseMs: 1000,
    });
  const message = (purpose: string, namedStaffId?: string) =>
    w.operator.post(`/api/v1/tenants/${w.a.id}/messages`, {
      purpose,
      callerName: '佐藤',
      callerNumber: '03-1111-2222',
      ...(namedStaffId ? { namedStaffId } : {}),
    });
  const latest = async () =>
    (await w.admin.get(`/api/v1/tenants/${w.a.id}/reports?limit=1`)).body[0];

  before(async () => {
    fake = await new ChatworkFake({ token: 'cw-token', limit: 3 }).start();
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const a = hook.address();
    hookUrl = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
    w = await buildWorld(ctx(), { a: '050-7000-0001', b: '050-7000-0002', free: '050-7000-0003' });
    await ctx().services.staff.update(systemActor, w.a.id, w.a.staffIds[1]!, {
      chatIds: { chatwork: '7654321' },
    });
    await ctx().services.tenants.update(systemActor, w.a.id, {
      reportChannel: { kind: 'chatwork', roomId: '4242' },
    });
  });
  after(async () => {
    await fake?.stop();
    hook.closeAllConnections();
    hook.close();
  });

  test('Chatwork: posted form-encoded with the token, the named person mentioned, tags neutralised', async () => {
    await message('見積もり [/info][To:1]いたずら', w.a.staffIds[1]);
    await worker().runOnce();
    const posted = fake.messages.at(-1)!;
    assert.equal(posted.roomId, '4242');
    assert.equal(posted.selfUnread, '0');
    assert.match(
      posted.body,
      /^\[To:7654321\].+ 担当さん\n\[info\]\[title\]【受電報告】.+様 伝言 佐藤\[\/title\]/,
    );
    assert.match(posted.body, /ご用件: 見積もり ［\/info］［To:1］いたずら/);
    assert.ok(posted.body.endsWith('[/info]'));
    assert.equal(
      (posted.body.match(/\[\/info\]/g) ?? []).length,
      1,
      'caller text cannot close the block',
    );
    assert.equal((await latest()).status, 'sent');
  });

  test('Chatwork rate limit: past the limit the report waits for the reset, then goes out once', async () => {
    fake.resetWindow();
    fake.limit = 2;
    await message('一件目');
    await message('二件目');
    await message('三件目');
    await worker().runOnce();
    const reports = (await w.admin.get(`/api/v1/tenants/${w.a.id}/reports?limit=3`)).body;
    const statuses = reports.map((r: { status: string }) => r.status).sort();
    assert.deepEqual(statuses, ['queued', 'sent', 'sent']);
    const waiting = reports.find((r: { status: string }) => r.status === 'queued');
    assert.match(waiting.deliveries[0].lastError, /^(429|rate limit)/);
    assert.ok(
      new Date(waiting.deliveries[0].nextAttemptAt).getTime() > ctx().clock.now().getTime(),
      'retry is scheduled after the reset',
    );
    const before = fake.messages.length;
    fake.resetWindow();
    ctx().clock.advance(400_000);
    // A fresh sender (the previous one remembers the exhausted window).
    await worker().runOnce();
    assert.equal(fake.messages.length, before + 1);
    assert.ok(
      (await w.admin.get(`/api/v1/tenants/${w.a.id}/reports?limit=3`)).body.every(
        (r: { status: string }) => r.status === 'sent',
      ),
    );
    fake.limit = 300;
  });

  test('a wrong token is a permanent failure with the reason; the fallback e-mail and an admin alert are queued', async () => {
    await ctx().services.tenants.update(systemActor, w.a.id, {
      reportChannel: { kind: 'chatwork', roomId: '4242', fallbackEmail: 'fallback@a.example' },
    });
    const bad = new DeliveryWorker({
      store: ctx().services.store,
      senders: { chatwork: new ChatworkSender({ apiUrl: fake.url, token: 'wrong' }) },
      onFailedForGood: (d) => ctx().services.reports.handleFailure(d),
    });
    await message('トークン誤り');
    await bad.runOnce();
    const r = await latest();
    assert.equal(r.status, 'failed');
    assert.match(r.deliveries[0].lastError, /^401: .*Invalid API token/);
    const extra = r.deliveries
      .filter((d: { purpose: string }) => d.purpose !== 'report')
      .map((d: { purpose: string; recipient: string; channel: string }) => [
        d.purpose,
        d.channel,
        d.recipient,
      ]);
    assert.deepEqual(
      extra.find((e: string[]) => e[0] === 'fallback'),
      ['fallback', 'email', 'fallback@a.example'],
    );
    assert.ok(extra.some((e: string[]) => e[0] === 'alert' && e[2] === 'admin@test.example'));
    await ctx().services.tenants.update(systemActor, w.a.id, {
      reportChannel: { kind: 'chatwork', roomId: '4242' },
    });
  });

  test('Slack, Teams and LINE WORKS webhooks get their own JSON shapes', async () => {
    const cases = [
      {
        kind: 'slack',
        check: (b: any) => {
          assert.match(b.text, /^【受電報告】/);
          assert.match(b.text, /^ご用件: Slack宛$/m);
        },
      },
      {
        kind: 'teams',
        check: (b: any) =>
          assert.equal(
            b.attachments[0].content.body[1].facts.find((f: any) => f.title === 'ご用件').value,
            'Teams宛',
          ),
      },
      {
        kind: 'line_works',
        check: (b: any) => {
          assert.match(b.body.text, /ご用件: LINE WORKS宛/);
          assert.match(b.title, /受電報告/);
        },
      },
    ];
    for (const c of cases) {
      await ctx().services.tenants.update(systemActor, w.a.id, {
        reportChannel: { kind: c.kind, webhookUrl: `${hookUrl}/${c.kind}` },
      });
      await message(
        c.kind === 'slack' ? 'Slack宛' : c.kind === 'teams' ? 'Teams宛' : 'LINE WORKS宛',
      );
      await worker().runOnce();
      const hit = hits.at(-1)!;
      assert.equal(hit.path, `/${c.kind}`);
      assert.equal(hit.headers['content-type'], 'application/json');
      c.check(JSON.parse(hit.body));
      assert.equal((await latest()).status, 'sent');
    }
  });

  test('the generic webhook is signed with HMAC-SHA256 over timestamp and body; 429 honours Retry-After', async () => {
    await ctx().services.tenants.update(systemActor, w.a.id, {
      reportChannel: { kind: 'webhook', url: `${hookUrl}/generic` },
    });
    const { body: s } = await w.a.clientAdmin.get(`/api/v1/tenants/${w.a.id}/webhook-secret`);
    const other = await w.b.clientAdmin.get(`/api/v1/tenants/${w.b.id}/webhook-secret`);
    assert.notEqual(other.body.secret, s.secret, 'each client has its own secret');
    hookStatus = 429;
    await message('署名付き');
    await worker().runOnce();
    let r = await latest();
    assert.equal(r.status, 'queued');
    assert.ok(
      new Date(r.deliveries[0].nextAttemptAt).getTime() - ctx().clock.now().getTime() >= 7000,
      'waits at least Retry-After',
    );
    hookStatus = 200;
    ctx().clock.advance(8000);
    await worker().runOnce();
    r = await latest();
    assert.equal(r.status, 'sent');
    const [first, second] = hits.slice(-2);
    assert.equal(
      first!.headers['idempotency-key'],
      second!.headers['idempotency-key'],
      'the retry carries the same idempotency key',
    );
    const ts = second!.headers['x-uketsuke-timestamp'] as string;
    const expected = `v1=${createHmac('sha256', s.secret).update(`${ts}.${second!.body}`).digest('hex')}`;
    assert.equal(second!.headers['x-uketsuke-signature'], expected);
    const payload = JSON.parse(second!.body);
    assert.equal(payload.type, 'call_report');
    assert.equal(payload.content.purpose, '署名付き');
    await ctx().services.tenants.update(systemActor, w.a.id, {
      reportChannel: { kind: 'email', mode: 'named' },
    });
  });
});
