/**
 * Tenant isolation and role checks over EVERY route the server registers (the list comes
 * from the app itself, so a new route is covered the day it is added).
 *
 * 1. Anonymous: every non-public route answers 401.
 * 2. Wrong tenant: B's client admin and client user call every route with A's ids: refused
 *    (403/404) and nothing stored changes; the few routes open to them (their own profile,
 *    the plan catalogue, their tenant list) answer without any of A's data.
 * 3. Foreign children: B's client admin uses B's own tenant id with A's staff, absence,
 *    FAQ, number and user ids: never found, nothing changes.
 * 4. Roles: each role not allowed on a route gets 403; each allowed role gets through on
 *    safe (GET) routes, which shows the check can tell the two apart.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { RouteOptions } from 'fastify';
import type { Access } from '../../src/http/access.ts';
import { Client } from '../support/harness.ts';
import { snapshot } from '../support/snapshot.ts';
import { describeEachDatabase } from '../support/suite.ts';
import { buildWorld, type World } from '../support/world.ts';

interface Call {
  method: string;
  pattern: string;
  access: Access;
}

function apiCalls(routes: RouteOptions[]): Call[] {
  const calls: Call[] = [];
  for (const r of routes) {
    if (!r.url.startsWith('/api/v1')) continue;
    for (const m of ([] as string[]).concat(r.method)) {
      if (m === 'HEAD') continue;
      calls.push({ method: m, pattern: r.url, access: r.config!.access! });
    }
  }
  return calls;
}

/** Fills :params. `own` overrides the tenant id; children come from `ids`. */
function urlFor(pattern: string, ids: Record<string, string>): string {
  return pattern.replace(/:(\w+)/g, (_, name: string) => {
    const v = ids[name];
    if (!v) throw new Error(`no test value for :${name} in ${pattern}`);
    return v;
  });
}

/** A body that passes validation, so a call reaches the service where scoping lives. */
function bodyFor(method: string, pattern: string): unknown {
  if (method === 'GET' || method === 'DELETE') return undefined;
  const table: [RegExp, unknown][] = [
    [/\/auth\/login$/, { email: 'nobody@example.com', password: 'wrong-password' }],
    [/\/auth\/password$/, { currentPassword: 'wrong-password', newPassword: 'new-password-1' }],
    [/\/auth\/tokens$/, { name: 'probe' }],
    [/\/tenants$/, { name: 'X', nameKana: 'エックス' }],
    [/\/state$/, { state: 'suspended' }],
    [/\/options\/:optionCode$/, { quantity: 1 }],
    [/\/staff$/, { name: 'probe' }],
    [/\/staff-order$/, { ids: [] }],
    [/\/absences$/, { startsAt: '2026-12-01T00:00:00Z', endsAt: '2026-12-02T00:00:00Z' }],
    [/\/absences\/:absenceId$/, { note: 'probe' }],
    [/\/staff\/:staffId$/, { department: 'probe' }],
    [/\/faq$/, { question: 'q', answer: 'a' }],
    [/\/faq\/:faqId$/, { answer: 'probe' }],
    [/\/self-answer$/, { enabled: false }],
    [
      /\/tenants\/:tenantId\/users$/,
      { email: 'probe@example.com', name: 'p', role: 'client_user', password: 'probe-pass-1' },
    ],
    [/\/users\/:userId$/, { name: 'probe' }],
    [
      /\/users$/,
      { email: 'probe2@example.com', name: 'p', role: 'operator', password: 'probe-pass-1' },
    ],
    [/\/numbers$/, { number: '03-9999-0001' }],
    [/\/assignment$/, { tenantId: 'x', usageMode: 'display' }],
    [/\/numbers\/:numberId$/, { purpose: 'probe' }],
    [
      /\/plans$/,
      { code: 'probe', name: 'p', monthlyFeeYen: 1, faqLimit: 1, reportRecipientsIncluded: 1 },
    ],
    [/\/plans\/:planCode$/, { name: 'probe' }],
    [/\/tenants\/:tenantId$/, { companyInfo: 'probe' }],
    [/\/flows$/, { name: 'probe', definition: { steps: [{ verb: 'hangup' }] } }],
    [/\/flows\/:flowId$/, { definition: { steps: [{ verb: 'hangup' }] } }],
    [/\/block-list$/, { kind: 'prefix', value: '0570' }],
    [/\/callbacks$/, { callbackNumber: '03-1234-5678' }],
    [/\/messages$/, { purpose: 'probe' }],
    [/\/calls\/:callId$/, { handlingStatus: 'done' }],
    [/\/charges\/rerate$/, { from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' }],
    [/\/tariffs$/, { tariffs: [] }],
    [/\/callbacks\/:callbackId$/, { status: 'done' }],
    [/\/trunks$/, { name: 'probe', allowedSources: ['127.0.0.2'] }],
    [/\/trunks\/:trunkId$/, { enabled: false }],
  ];
  for (const [re, body] of table) if (re.test(pattern)) return body;
  return {};
}

/** Routes a client of another tenant may call with success, because they are not A's. */
const openToAnyLoggedIn = new Set([
  'GET /api/v1/tenants',
  'GET /api/v1/auth/me',
  'GET /api/v1/auth/tokens',
  'POST /api/v1/auth/tokens',
  'POST /api/v1/auth/logout',
  'POST /api/v1/auth/password',
  'DELETE /api/v1/auth/tokens/:tokenId',
  'GET /api/v1/plans',
  'GET /api/v1/plans/:planCode',
  'GET /api/v1/plan-options',
]);

/** A's data must not appear in a response, except ids the caller itself put in the URL. */
function assertNoLeak(text: string, url: string, leaks: string[], key: string): void {
  for (const leak of leaks) {
    if (url.includes(leak)) continue;
    assert.ok(!text.includes(leak), `${key} leaked ${leak}`);
  }
}

describeEachDatabase('tenant isolation and roles on every route', (ctx) => {
  let w: World;
  let calls: Call[];
  let aIds: Record<string, string>;
  let leakTexts: string[];

  before(async () => {
    w = await buildWorld(ctx(), { a: '03-1111-0001', b: '03-2222-0001', free: '050-3333-0001' });
    calls = apiCalls(ctx().routes);
    const tok = await w.a.clientAdmin.post('/api/v1/auth/tokens', { name: 'a-token' });
    aIds = {
      tenantId: w.a.id,
      staffId: w.a.staffIds[1]!,
      absenceId: w.a.absenceId,
      faqId: w.a.faqId,
      numberId: w.a.numberId,
      userId: w.a.clientUserId,
      tokenId: tok.body.apiToken.id,
      planCode: 'standard',
      optionCode: 'chatwork',
      flowId: w.a.flowId,
      version: '1',
      entryId: w.a.blockEntryId,
      callbackId: w.a.callbackId,
      trunkId: w.trunkId,
      callId: w.a.callId,
      reportId: w.a.reportId,
      messageId: w.a.messageId,
      promptName: 'greeting',
    };
    leakTexts = [
      w.a.id,
      w.a.marker,
      ...w.a.staffIds,
      w.a.absenceId,
      w.a.faqId,
      w.a.numberId,
      w.a.clientUserId,
      w.a.flowId,
      w.a.blockEntryId,
      w.a.callbackId,
      w.a.callId,
      w.a.reportId,
      w.a.messageId,
    ];
  });

  test('the walk covers the API', () => {
    assert.ok(calls.length >= 40, `only ${calls.length} routes found`);
    for (const c of calls) assert.ok(c.access, `${c.method} ${c.pattern} has no access rule`);
  });

  test('anonymous callers get 401 on every non-public route', async () => {
    const anon = new Client(ctx().app);
    for (const c of calls) {
      if (c.access === 'public') continue;
      const r = await anon.request(c.method, urlFor(c.pattern, aIds), bodyFor(c.method, c.pattern));
      assert.equal(
        r.status,
        401,
        `${c.method} ${c.pattern} answered ${r.status} to an anonymous caller`,
      );
    }
  });

  test("another tenant's users are refused A's data on every route", async () => {
    for (const who of [w.b.clientAdmin, w.b.clientUser]) {
      for (const c of calls) {
        if (c.access === 'public') continue;
        if (c.pattern.endsWith('/auth/logout')) continue; // would end the session used here
        const before = await snapshot(ctx().db);
        const url = urlFor(c.pattern, aIds);
        const r = await who.request(c.method, url, bodyFor(c.method, c.pattern));
        const text = JSON.stringify(r.body);
        const key = `${c.method} ${c.pattern.replace(/\/$/, '')}`;
        if (openToAnyLoggedIn.has(key)) {
          // About the caller itself (its profile, tokens, password) or global data.
          if (r.status >= 400)
            assert.equal(
              await snapshot(ctx().db),
              before,
              `${key} was refused but changed stored data`,
            );
        } else if (r.status < 400) {
          assert.fail(`${key} answered ${r.status} to tenant B: ${text.slice(0, 200)}`);
        } else {
          assert.ok(
            [403, 404].includes(r.status),
            `${key} answered ${r.status}: ${text.slice(0, 200)}`,
          );
          assert.equal(
            await snapshot(ctx().db),
            before,
            `${key} was refused but changed stored data`,
          );
        }
        assertNoLeak(text, url, leakTexts, key);
      }
    }
  });

  test("B's own tenant path with A's child ids finds nothing and changes nothing", async () => {
    const mixed = { ...aIds, tenantId: w.b.id };
    for (const who of [w.b.clientAdmin, w.b.clientUser]) {
      for (const c of calls) {
        if (!c.pattern.includes(':tenantId/')) continue;
        if (
          !/:(staffId|absenceId|faqId|numberId|userId|flowId|entryId|callbackId|callId|reportId|messageId)/.test(
            c.pattern,
          )
        )
          continue;
        const before = await snapshot(ctx().db);
        const url = urlFor(c.pattern, mixed);
        const r = await who.request(c.method, url, bodyFor(c.method, c.pattern));
        const key = `${c.method} ${c.pattern}`;
        assert.ok(
          [403, 404].includes(r.status),
          `${key} with A's child id answered ${r.status}: ${JSON.stringify(r.body).slice(0, 200)}`,
        );
        assert.equal(await snapshot(ctx().db), before, `${key} changed stored data`);
        assertNoLeak(JSON.stringify(r.body), url, leakTexts, key);
      }
    }
  });

  test('each role is refused where it is not allowed, and let through where it is', async () => {
    const byRole: Record<string, Client> = {
      service_admin: w.admin,
      supervisor: w.supervisor,
      operator: w.operator,
      client_admin: w.a.clientAdmin,
      client_user: w.a.clientUser,
    };
    let refused = 0;
    let allowed = 0;
    for (const c of calls) {
      if (c.access === 'public' || c.pattern.endsWith('/auth/logout')) continue;
      for (const [role, who] of Object.entries(byRole)) {
        const key = `${c.method} ${c.pattern} as ${role}`;
        if (!c.access.roles.includes(role as never)) {
          const before = await snapshot(ctx().db);
          const r = await who.request(
            c.method,
            urlFor(c.pattern, aIds),
            bodyFor(c.method, c.pattern),
          );
          assert.equal(r.status, 403, `${key} answered ${r.status}`);
          assert.equal(r.body.code, 'auth.forbidden', key);
          assert.equal(await snapshot(ctx().db), before, `${key} changed stored data`);
          refused++;
        } else if (c.method === 'GET') {
          const r = await who.get(urlFor(c.pattern, aIds));
          assert.ok(
            r.status < 400,
            `${key} should be allowed, got ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`,
          );
          allowed++;
        }
      }
    }
    assert.ok(refused > 50 && allowed > 30, `refused ${refused}, allowed ${allowed}`);
  });
});
