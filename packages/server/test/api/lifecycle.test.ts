import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { adminCredentials, Client } from '../support/harness.ts';
import { snapshot } from '../support/snapshot.ts';
import { describeEachDatabase } from '../support/suite.ts';
import { buildWorld, type World } from '../support/world.ts';

describeEachDatabase('tenant lifecycle, numbers, roster and the audit log', (ctx) => {
  let w: World;
  before(async () => {
    w = await buildWorld(ctx(), { a: '050-1000-0001', b: '050-1000-0002', free: '050-1000-0003' });
  });

  test('the lifecycle moves only along its arrows', async () => {
    const t = await w.admin.post('/api/v1/tenants', { name: '新規社', nameKana: 'シンキ' });
    assert.equal(t.body.state, 'applied');
    const bad = await w.admin.post(`/api/v1/tenants/${t.body.id}/state`, { state: 'live' });
    assert.equal(bad.status, 409);
    assert.equal(bad.body.code, 'tenant.transition_invalid');
    for (const s of ['screening', 'contracted', 'testing', 'live', 'suspended', 'live']) {
      const r = await w.admin.post(`/api/v1/tenants/${t.body.id}/state`, { state: s });
      assert.equal(r.status, 200, `${s}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.state, s);
    }
  });

  test('a client admin may change only its own contact data, not the contract', async () => {
    const ok = await w.a.clientAdmin.patch(`/api/v1/tenants/${w.a.id}`, {
      handlingManual: '新しいマニュアル',
      reportChannel: { kind: 'email', mode: 'fixed', fixedRecipients: ['Desk@A.example'] },
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(ok.body.reportChannel, {
      kind: 'email',
      mode: 'fixed',
      fixedRecipients: ['Desk@a.example'],
    });
    for (const patch of [{ planCode: 'next' }, { greeting: 'x' }, { name: 'x' }]) {
      const before = await snapshot(ctx().db);
      const r = await w.a.clientAdmin.patch(`/api/v1/tenants/${w.a.id}`, patch);
      assert.equal(r.status, 403);
      assert.equal(r.body.code, 'auth.field_forbidden');
      assert.equal(await snapshot(ctx().db), before);
    }
  });

  test('self-answer toggle needs a destination; clients toggle their own numbers', async () => {
    const on = await w.a.clientUser.put(
      `/api/v1/tenants/${w.a.id}/numbers/${w.a.numberId}/self-answer`,
      { enabled: true },
    );
    assert.equal(on.status, 200, JSON.stringify(on.body));
    assert.equal(on.body.selfAnswer, true);
    await w.admin
      .patch(`/api/v1/numbers/${w.a.numberId}`, { destination: null })
      .then((r) => assert.equal(r.body.code, 'number.destination_required'));
    const released = await w.admin.delete(`/api/v1/numbers/${w.freeNumberId}/assignment`);
    assert.equal(released.body.code, 'number.not_assigned');
  });

  test('the roster keeps its order; the first is the responsible person', async () => {
    const [s1, s2] = w.a.staffIds;
    const r = await w.a.clientAdmin.put(`/api/v1/tenants/${w.a.id}/staff-order`, { ids: [s2, s1] });
    assert.equal(r.status, 200);
    const list = await w.operator.get(`/api/v1/tenants/${w.a.id}/staff`);
    assert.deepEqual(
      list.body.map((s: { id: string }) => s.id),
      [s2, s1],
    );
    assert.deepEqual(
      list.body.map((s: { position: number }) => s.position),
      [0, 1],
    );
    const abs = await w.operator.get(`/api/v1/tenants/${w.a.id}/staff/${s2}/absences`);
    assert.equal(abs.body.length, 1);
    assert.equal(abs.body[0].kind, 'business_trip');
    const del = await w.a.clientAdmin.delete(`/api/v1/tenants/${w.a.id}/staff/${s2}`);
    assert.equal(del.status, 204);
    const gone = await w.operator.get(`/api/v1/tenants/${w.a.id}/staff/${s2}/absences`);
    assert.equal(gone.status, 404);
  });

  test('every change is in the audit log with who, what and when, in the same transaction', async () => {
    const before = await w.admin.get(`/api/v1/audit?entityId=${w.a.id}`);
    const r = await w.a.clientAdmin.patch(`/api/v1/tenants/${w.a.id}`, {
      companyInfo: '監査テスト',
    });
    assert.equal(r.status, 200);
    const after = await w.admin.get(`/api/v1/audit?entityId=${w.a.id}`);
    assert.equal(after.body.length, before.body.length + 1);
    const e = after.body[0];
    assert.equal(e.action, 'tenant.update');
    assert.equal(e.actorLabel, w.a.clientAdminEmail);
    assert.equal(e.actorUserId, w.a.clientAdminId);
    assert.equal(e.via, 'session');
    assert.equal(e.tenantId, w.a.id);
    assert.equal(e.after.companyInfo, '監査テスト');
    assert.equal(e.at, ctx().clock.now().toISOString());
    // The client sees its own tenant's audit entries, never another's.
    const own = await w.a.clientAdmin.get(`/api/v1/tenants/${w.a.id}/audit`);
    assert.ok(
      own.body.length > 0 && own.body.every((x: { tenantId: string }) => x.tenantId === w.a.id),
    );
    // A refused change writes no audit entry.
    const count = (await w.admin.get('/api/v1/audit?limit=500')).body.length;
    await w.admin.post('/api/v1/numbers', { number: 'bad' });
    assert.equal((await w.admin.get('/api/v1/audit?limit=500')).body.length, count);
    // Password hashes never reach the audit log.
    const users = await ctx()
      .db.kysely.selectFrom('audit_log')
      .select(['before', 'after'])
      .where('entity_type', '=', 'user')
      .execute();
    assert.ok(users.length > 0);
    for (const u of users) assert.ok(!`${u.before}${u.after}`.includes('argon2'));
  });
  // Last: it moves the clock half a year, past every session.
  test('cancelling quarantines the numbers; they can be lent again only after the quarantine', async () => {
    const t = await w.admin.post('/api/v1/tenants', { name: '解約社', nameKana: 'カイヤク' });
    const n = await w.admin.post('/api/v1/numbers', { number: '03-8888-0001' });
    await w.admin.post(`/api/v1/numbers/${n.body.id}/assignment`, {
      tenantId: t.body.id,
      usageMode: 'forwarding',
    });
    const c = await w.admin.post(`/api/v1/tenants/${t.body.id}/state`, { state: 'cancelled' });
    assert.equal(c.body.state, 'cancelled');
    const q = await w.admin.get(`/api/v1/numbers/${n.body.id}`);
    assert.equal(q.body.state, 'quarantined');
    assert.equal(q.body.tenantId, null);
    assert.equal(
      q.body.quarantinedUntil,
      new Date(ctx().clock.now().getTime() + 180 * 86_400_000).toISOString(),
    );
    const early = await w.admin.post(`/api/v1/numbers/${n.body.id}/assignment`, {
      tenantId: w.b.id,
      usageMode: 'display',
    });
    assert.equal(early.status, 409);
    assert.equal(early.body.code, 'number.quarantined');
    const frozen = await w.admin.patch(`/api/v1/tenants/${t.body.id}`, { address: 'x' });
    assert.equal(frozen.body.code, 'tenant.cancelled');
    ctx().clock.advance(181 * 86_400_000);
    w.admin = await Client.login(ctx().app, adminCredentials.email, adminCredentials.password);
    assert.equal((await w.admin.get(`/api/v1/numbers/${n.body.id}`)).body.state, 'available');
    const later = await w.admin.post(`/api/v1/numbers/${n.body.id}/assignment`, {
      tenantId: w.b.id,
      usageMode: 'display',
    });
    assert.equal(later.status, 200, JSON.stringify(later.body));
    assert.equal(later.body.tenantId, w.b.id);
  });
});
