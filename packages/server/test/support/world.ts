/**
 * A small populated service for API tests: two client companies (A and B) with rosters,
 * absences, FAQ, lent numbers and portal users, plus an operator and a supervisor.
 * Built through the API itself as the service admin.
 */
import assert from 'node:assert/strict';
import { encodeWav } from '@uketsuke/media';
import { uuidv7 } from '../../src/ids.ts';
import { systemActor } from '../../src/services/store.ts';
import { Client, adminCredentials, type TestApp } from './harness.ts';

export interface TenantWorld {
  id: string;
  staffIds: string[];
  absenceId: string;
  faqId: string;
  numberId: string;
  clientAdminId: string;
  clientAdminEmail: string;
  clientUserId: string;
  flowId: string;
  blockEntryId: string;
  callbackId: string;
  callId: string;
  reportId: string;
  messageId: string;
  clientAdmin: Client;
  clientUser: Client;
  /** A text only this tenant's data contains, to spot leaks in any response. */
  marker: string;
}

export interface World {
  admin: Client;
  operator: Client;
  supervisor: Client;
  a: TenantWorld;
  b: TenantWorld;
  freeNumberId: string;
  trunkId: string;
}

let seq = 0;

async function ok<T = any>(p: Promise<{ status: number; body: T }>, status = 200): Promise<T> {
  const r = await p;
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
}

async function tenant(
  t: TestApp,
  admin: Client,
  label: string,
  number: string,
): Promise<TenantWorld> {
  const marker = `MARKER-${label}-${++seq}`;
  const created = await ok(
    admin.post('/api/v1/tenants', {
      name: `${label} 株式会社`,
      nameKana: 'テスト',
      companyInfo: marker,
      planCode: 'standard',
    }),
    201,
  );
  const id = created.id as string;
  const s1 = await ok(
    admin.post(`/api/v1/tenants/${id}/staff`, {
      name: `${label} 責任者`,
      email: `boss@${label.toLowerCase()}.example`,
    }),
    201,
  );
  const s2 = await ok(
    admin.post(`/api/v1/tenants/${id}/staff`, {
      name: `${label} 担当`,
      email: `staff@${label.toLowerCase()}.example`,
    }),
    201,
  );
  const absence = await ok(
    admin.post(`/api/v1/tenants/${id}/staff/${s2.id}/absences`, {
      kind: 'business_trip',
      startsAt: '2026-11-22T00:00:00Z',
      endsAt: '2026-11-23T09:00:00Z',
      note: marker,
    }),
    201,
  );
  const faq = await ok(
    admin.post(`/api/v1/tenants/${id}/faq`, { question: `${marker}?`, answer: marker }),
    201,
  );
  const num = await ok(admin.post('/api/v1/numbers', { number }), 201);
  await ok(
    admin.post(`/api/v1/numbers/${num.id}/assignment`, {
      tenantId: id,
      usageMode: 'display',
      destination: '03-5555-0000',
    }),
  );
  const ca = await ok(
    admin.post(`/api/v1/tenants/${id}/users`, {
      email: `admin@${label.toLowerCase()}.example`,
      name: 'CA',
      role: 'client_admin',
      password: 'client-pass-1',
    }),
    201,
  );
  const cu = await ok(
    admin.post(`/api/v1/tenants/${id}/users`, {
      email: `user@${label.toLowerCase()}.example`,
      name: 'CU',
      role: 'client_user',
      password: 'client-pass-2',
    }),
    201,
  );
  const flow = await ok(
    admin.post(`/api/v1/tenants/${id}/flows`, {
      name: `${marker} flow`,
      definition: { steps: [{ verb: 'answer' }, { verb: 'hangup' }] },
    }),
    201,
  );
  const block = await ok(
    admin.post(`/api/v1/tenants/${id}/block-list`, {
      kind: 'number',
      value: '090-1234-0001',
      reason: marker,
    }),
    201,
  );
  const callback = await ok(
    admin.post(`/api/v1/tenants/${id}/callbacks`, {
      callbackNumber: '090-1111-2222',
      reason: marker,
    }),
    201,
  );
  // A call record, as call control writes them.
  const callId = uuidv7();
  await t.services.store.read((r) =>
    r.calls.insert({
      id: callId,
      tenantId: id,
      numberId: num.id,
      trunkId: null,
      sipCallId: `${marker}@test`,
      dialed: number,
      caller: '+819012345678',
      callerWithheld: false,
      offeredAt: '2026-11-21T01:00:00.000Z',
      answeredAt: null,
      endedAt: '2026-11-21T01:00:05.000Z',
      hangupBy: 'caller',
      sipStatus: null,
      disposition: 'abandoned',
      billable: true,
      queueWaitMs: null,
      recording: null,
      callbackTaskId: null,
      flowId: null,
      flowVersion: null,
      rtpStats: null,
      trace: [marker],
      handlingStatus: 'open',
    }),
  );
  const tenantRow = (await t.services.store.read((r) => r.tenants.get(id)))!;
  const report = await t.services.store.write(systemActor, (tx) =>
    t.services.reports.enqueue(tx, {
      tenant: tenantRow,
      source: 'missed',
      sourceId: callId,
      callId,
      content: {
        kind: 'missed',
        dialed: '+81312345678',
        numberPurpose: marker,
        at: '2026-11-21T01:00:00.000Z',
        caller: '+819012345678',
        notes: marker,
      },
    }),
  );
  // The client's own greeting (a short tone stands in for a recording).
  await t.services.prompts.upload(
    systemActor,
    id,
    'greeting',
    encodeWav(
      Int16Array.from({ length: 4000 }, (_, i) => Math.round(6000 * Math.sin(i / 3))),
      {
        sampleRate: 8000,
        channels: 1,
      },
    ),
  );
  const message = await ok(
    admin.post(`/api/v1/tenants/${id}/messages`, {
      purpose: marker,
      callerName: '山田',
      namedStaffId: s1.id,
    }),
    201,
  );
  return {
    id,
    messageId: message.id,
    callId,
    reportId: report.id,
    flowId: flow.id,
    blockEntryId: block.id,
    callbackId: callback.id,
    staffIds: [s1.id, s2.id],
    absenceId: absence.id,
    faqId: faq.id,
    numberId: num.id,
    clientAdminId: ca.id,
    clientAdminEmail: ca.email,
    clientUserId: cu.id,
    clientAdmin: await Client.login(t.app, `admin@${label.toLowerCase()}.example`, 'client-pass-1'),
    clientUser: await Client.login(t.app, `user@${label.toLowerCase()}.example`, 'client-pass-2'),
    marker,
  };
}

export async function buildWorld(
  t: TestApp,
  numbers: { a: string; b: string; free: string },
): Promise<World> {
  const admin = await Client.login(t.app, adminCredentials.email, adminCredentials.password);
  const tag = ++seq;
  await ok(
    admin.post('/api/v1/users', {
      email: `op${tag}@svc.example`,
      name: 'Op',
      role: 'operator',
      password: 'operator-pass',
    }),
    201,
  );
  await ok(
    admin.post('/api/v1/users', {
      email: `sv${tag}@svc.example`,
      name: 'Sv',
      role: 'supervisor',
      password: 'supervisor-pass',
    }),
    201,
  );
  const a = await tenant(t, admin, `A${tag}`, numbers.a);
  const b = await tenant(t, admin, `B${tag}`, numbers.b);
  const free = await ok(admin.post('/api/v1/numbers', { number: numbers.free }), 201);
  const trunk = await ok(
    admin.post('/api/v1/trunks', { name: `carrier-${tag}`, allowedSources: ['127.0.0.1'] }),
    201,
  );
  return {
    admin,
    operator: await Client.login(t.app, `op${tag}@svc.example`, 'operator-pass'),
    supervisor: await Client.login(t.app, `sv${tag}@svc.example`, 'supervisor-pass'),
    a,
    b,
    freeNumberId: free.id,
    trunkId: trunk.id,
  };
}
