/**
 * Invalid input gets a 4xx problem+json with a stable code, and nothing stored changes
 * (a snapshot of every table before and after each refused request).
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Client, Response } from '../support/harness.ts';
import { snapshot } from '../support/snapshot.ts';
import { describeEachDatabase } from '../support/suite.ts';
import { buildWorld, type World } from '../support/world.ts';

describeEachDatabase('invalid input is refused with a stable code and changes nothing', (ctx) => {
  let w: World;
  let admin: Client;

  before(async () => {
    w = await buildWorld(ctx(), { a: '0120-111-001', b: '0120-111-002', free: '0800-111-0001' });
    admin = w.admin;
  });

  async function refused(
    call: () => Promise<Response>,
    status: number,
    code: string,
  ): Promise<Response> {
    const before = await snapshot(ctx().db);
    const r = await call();
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
    assert.equal(r.body.code, code);
    assert.equal(r.body.type, `urn:uketsuke:problem:${code}`);
    assert.equal(r.body.status, status);
    assert.equal(typeof r.body.title, 'string');
    assert.equal(await snapshot(ctx().db), before, `${code}: stored data changed`);
    return r;
  }

  test('a malformed phone number', async () => {
    for (const number of [
      '0120-12',
      '12345',
      '03-1234-567a',
      '+1 202 555 0100',
      '０３−１２３４',
      '',
    ]) {
      const code = number === '' ? 'request.invalid' : 'validation.phone_invalid';
      await refused(
        () => admin.post('/api/v1/numbers', { number }),
        number === '' ? 400 : 422,
        code,
      );
    }
    await refused(
      () => admin.post(`/api/v1/tenants/${w.a.id}/staff`, { name: 'x', phone: '123' }),
      422,
      'validation.phone_invalid',
    );
    await refused(
      () => admin.patch(`/api/v1/numbers/${w.a.numberId}`, { destination: 'not-a-number' }),
      422,
      'validation.phone_invalid',
    );
    await refused(
      () => admin.patch(`/api/v1/numbers/${w.a.numberId}`, { destination: 'sip:@' }),
      422,
      'validation.sip_uri_invalid',
    );
  });

  test('full-width digits are accepted and stored in E.164', async () => {
    const r = await admin.post('/api/v1/numbers', { number: '０３ー６６６６ー０００１' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.e164, '+81366660001');
    assert.equal(r.body.display, '03-6666-0001');
    assert.equal(r.body.kind, '03');
  });

  test('a number registered or assigned twice', async () => {
    await refused(
      () => admin.post('/api/v1/numbers', { number: '+81120111001' }),
      409,
      'number.duplicate',
    );
    await refused(
      () => admin.post('/api/v1/numbers', { number: '0120111001' }),
      409,
      'number.duplicate',
    );
    await refused(
      () =>
        admin.post(`/api/v1/numbers/${w.a.numberId}/assignment`, {
          tenantId: w.b.id,
          usageMode: 'display',
        }),
      409,
      'number.already_assigned',
    );
  });

  test('a second usage mode for a lent number', async () => {
    await refused(
      () =>
        admin.post(`/api/v1/numbers/${w.a.numberId}/assignment`, {
          tenantId: w.a.id,
          usageMode: 'forwarding',
        }),
      409,
      'number.already_assigned',
    );
    await refused(
      () => admin.patch(`/api/v1/numbers/${w.a.numberId}`, { usageMode: 'forwarding' }),
      409,
      'number.usage_mode_fixed',
    );
    const r = await refused(
      () =>
        admin.post(`/api/v1/numbers/${w.freeNumberId}/assignment`, {
          tenantId: w.a.id,
          usageMode: 'display',
          usageModes: ['display', 'forwarding'],
        }),
      400,
      'request.invalid',
    );
    assert.match(JSON.stringify(r.body.errors), /usageModes/);
    await refused(
      () =>
        admin.post(`/api/v1/numbers/${w.freeNumberId}/assignment`, {
          tenantId: w.a.id,
          usageMode: ['display', 'forwarding'],
        }),
      400,
      'request.invalid',
    );
  });

  test('a lent number can never originate calls', async () => {
    await refused(
      () => admin.patch(`/api/v1/numbers/${w.a.numberId}`, { canOriginate: true }),
      422,
      'number.lent_cannot_originate',
    );
    const n = await admin.post('/api/v1/numbers', { number: '050-7777-0001', canOriginate: true });
    assert.equal(n.status, 201);
    await refused(
      () =>
        admin.post(`/api/v1/numbers/${n.body.id}/assignment`, {
          tenantId: w.a.id,
          usageMode: 'display',
        }),
      422,
      'number.lent_cannot_originate',
    );
  });

  test('kind and destination rules', async () => {
    await refused(
      () => admin.post('/api/v1/numbers', { number: '0120-222-001', kind: '03' }),
      422,
      'number.kind_mismatch',
    );
    await refused(
      () => admin.post('/api/v1/numbers', { number: '0120-222-001', kind: 'fax' }),
      422,
      'number.kind_mismatch',
    );
    const fax = await admin.post('/api/v1/numbers', { number: '03-4444-0001', kind: 'fax' });
    assert.equal(fax.body.kind, 'fax');
    await refused(
      () =>
        admin.post(`/api/v1/numbers/${w.freeNumberId}/assignment`, {
          tenantId: w.a.id,
          usageMode: 'announcement_only',
          destination: '03-1234-5678',
        }),
      422,
      'number.destination_not_allowed',
    );
  });

  test('an FAQ item over the plan limit', async () => {
    // Standard allows 10; the world gave A one item.
    for (let i = 0; i < 9; i++) {
      const r = await admin.post(`/api/v1/tenants/${w.a.id}/faq`, {
        question: `q${i}`,
        answer: `a${i}`,
      });
      assert.equal(r.status, 201);
    }
    await refused(
      () => admin.post(`/api/v1/tenants/${w.a.id}/faq`, { question: 'q11', answer: 'a11' }),
      422,
      'faq.plan_limit',
    );
    await refused(
      () =>
        w.a.clientAdmin.post(`/api/v1/tenants/${w.a.id}/faq`, { question: 'q11', answer: 'a11' }),
      422,
      'faq.plan_limit',
    );
    // Start allows none: moving A down would strand its items.
    await refused(
      () => admin.patch(`/api/v1/tenants/${w.a.id}`, { planCode: 'start' }),
      409,
      'plan.faq_over_limit',
    );
    const start = await admin.post('/api/v1/tenants', {
      name: 'Start社',
      nameKana: 'スタート',
      planCode: 'start',
    });
    await refused(
      () => admin.post(`/api/v1/tenants/${start.body.id}/faq`, { question: 'q', answer: 'a' }),
      422,
      'faq.plan_limit',
    );
  });

  test('a bad e-mail address', async () => {
    for (const email of [
      'no-at-sign',
      'a@b',
      'two@@example.com',
      'sp ace@example.com',
      'x@example..com',
      '.dot@example.com',
    ]) {
      await refused(
        () => admin.post(`/api/v1/tenants/${w.a.id}/staff`, { name: 'x', email }),
        422,
        'validation.email_invalid',
      );
      await refused(
        () =>
          admin.post('/api/v1/users', {
            email,
            name: 'x',
            role: 'operator',
            password: 'long-enough-1',
          }),
        422,
        'validation.email_invalid',
      );
    }
    await refused(
      () =>
        admin.patch(`/api/v1/tenants/${w.a.id}`, {
          reportChannel: { kind: 'email', mode: 'fixed', fixedRecipients: ['bad'] },
        }),
      422,
      'validation.email_invalid',
    );
    await refused(
      () =>
        admin.patch(`/api/v1/tenants/${w.a.id}`, { emergencyContact: { name: 'x', email: 'bad' } }),
      422,
      'validation.email_invalid',
    );
  });

  test('malformed requests', async () => {
    await refused(
      () =>
        admin.request('POST', '/api/v1/tenants', '{"name": ', {
          'content-type': 'application/json',
        }),
      400,
      'request.invalid',
    );
    await refused(() => admin.post('/api/v1/tenants', { name: 'x' }), 400, 'request.invalid');
    await refused(
      () => admin.post('/api/v1/tenants', { name: 'x', nameKana: 'x', unknownField: 1 }),
      400,
      'request.invalid',
    );
    await refused(() => admin.get('/api/v1/tenants?limit=100000'), 400, 'request.invalid');
    await refused(() => admin.get('/api/v1/nowhere'), 404, 'request.not_found');
    await refused(
      () => admin.get('/api/v1/tenants/01a00000-0000-7000-8000-000000000000'),
      404,
      'tenant.not_found',
    );
    await refused(
      () =>
        admin.post(`/api/v1/tenants/${w.a.id}/staff/${w.a.staffIds[1]}/absences`, {
          startsAt: '2026-12-02T00:00:00Z',
          endsAt: '2026-12-01T00:00:00Z',
        }),
      422,
      'validation.date_range',
    );
    await refused(
      () =>
        admin.post(`/api/v1/tenants/${w.a.id}/staff/${w.a.staffIds[1]}/absences`, {
          startsAt: 'tomorrow',
          endsAt: '2026-12-01T00:00:00Z',
        }),
      400,
      'request.invalid',
    );
    await refused(
      () => admin.put(`/api/v1/tenants/${w.a.id}/staff-order`, { ids: [w.a.staffIds[0]] }),
      422,
      'staff.order_mismatch',
    );
    await refused(
      () =>
        admin.patch(`/api/v1/tenants/${w.a.id}`, {
          reportChannel: { kind: 'chatwork', roomId: 'abc' },
        }),
      422,
      'tenant.report_channel_invalid',
    );
    await refused(
      () =>
        admin.patch(`/api/v1/tenants/${w.a.id}`, {
          reportChannel: { kind: 'slack', webhookUrl: 'http://example.com/hook' },
        }),
      422,
      'tenant.report_channel_invalid',
    );
    await refused(
      () =>
        admin.post('/api/v1/users', {
          email: 'c@example.com',
          name: 'x',
          role: 'client_user',
          password: 'long-enough-1',
        }),
      422,
      'user.tenant_required',
    );
    await refused(
      () =>
        admin.post('/api/v1/users', {
          email: 'c@example.com',
          name: 'x',
          role: 'operator',
          password: 'short',
        }),
      422,
      'validation.password_weak',
    );
  });
});
