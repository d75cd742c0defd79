/**
 * Rated charges on both databases: the tariff sheet (validation, audit), rating of calls
 * when they end, per-call lines and per-period totals through the API, and re-rating.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { InboundCallHandler } from '../../src/call-control/inbound-call-handler.ts';
import { noOperators } from '../../src/call-control/queue-manager.ts';
import { uuidv7 } from '../../src/ids.ts';
import type { CallRecord } from '../../src/repositories/call-record-repository.ts';
import { systemActor } from '../../src/services/store.ts';
import { ScriptedChannel } from '../support/scripted-channel.ts';
import { snapshot } from '../support/snapshot.ts';
import { describeEachDatabase } from '../support/suite.ts';
import { buildWorld, type World } from '../support/world.ts';

const sheet = {
  tariffs: [
    { kind: 'toll_free_inbound', peerClass: 'mobile', unitSeconds: 60, pricePerUnitSen: 1800 },
    {
      kind: 'toll_free_inbound',
      peerClass: 'geographic',
      unitSeconds: 180,
      pricePerUnitSen: 935,
      description: 'fixed line, 3 min',
    },
    { kind: 'outbound', peerClass: 'ip', unitSeconds: 180, pricePerUnitSen: 1155 },
  ],
};

describeEachDatabase('rated charges', (ctx) => {
  let w: World;
  let tollFreeId: string;
  const base = (over: Partial<CallRecord>): CallRecord => ({
    id: uuidv7(Date.now()),
    tenantId: w.a.id,
    numberId: tollFreeId,
    trunkId: null,
    sipCallId: `charges-${Math.random()}`,
    dialed: '0120600001',
    caller: '+819011112222',
    callerWithheld: false,
    offeredAt: '2026-11-20T01:00:00.000Z',
    answeredAt: '2026-11-20T01:00:02.000Z',
    endedAt: '2026-11-20T01:03:03.000Z', // 181 s answered
    hangupBy: 'caller',
    sipStatus: null,
    disposition: 'forwarded',
    billable: true,
    queueWaitMs: null,
    recording: null,
    callbackTaskId: null,
    flowId: null,
    flowVersion: null,
    rtpStats: null,
    trace: [],
    handlingStatus: 'open',
    ...over,
  });
  const insertCall = async (c: CallRecord) => {
    await ctx().services.store.read((r) => r.calls.insert(c));
    return c.id;
  };

  before(async () => {
    w = await buildWorld(ctx(), { a: '050-6999-0001', b: '050-6999-0002', free: '050-6999-0003' });
    const s = ctx().services;
    for (const state of ['screening', 'contracted', 'testing', 'live'] as const)
      await s.tenants.transition(systemActor, w.a.id, state);
    const n = await s.numbers.create(systemActor, { number: '0120-600-001' });
    await s.numbers.assign(systemActor, n.id, { tenantId: w.a.id, usageMode: 'display' });
    tollFreeId = n.id;
  });

  test('the tariff sheet is validated as a whole; a bad sheet changes nothing', async () => {
    const before = await snapshot(ctx().db);
    const dup = await w.admin.put('/api/v1/tariffs', {
      tariffs: [sheet.tariffs[0], sheet.tariffs[0]],
    });
    assert.equal(dup.status, 422);
    assert.equal(dup.body.code, 'tariff.invalid');
    assert.match(dup.body.detail, /tariffs\[1\]: a second tariff for toll_free_inbound\/mobile/);
    const zeroUnit = await w.admin.put('/api/v1/tariffs', {
      tariffs: [{ ...sheet.tariffs[0], unitSeconds: 0 }],
    });
    assert.equal(zeroUnit.status, 400);
    const badClass = await w.admin.put('/api/v1/tariffs', {
      tariffs: [{ ...sheet.tariffs[0], peerClass: 'satellite' }],
    });
    assert.equal(badClass.status, 400);
    const client = await w.a.clientAdmin.put('/api/v1/tariffs', sheet);
    assert.equal(client.status, 403);
    assert.equal(await snapshot(ctx().db), before);

    const ok = await w.admin.put('/api/v1/tariffs', sheet);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.length, 3);
    const read = await w.admin.get('/api/v1/tariffs');
    assert.deepEqual(
      read.body.map((t: { kind: string; peerClass: string; pricePerUnitSen: number }) => [
        t.kind,
        t.peerClass,
        t.pricePerUnitSen,
      ]),
      [
        ['outbound', 'ip', 1155],
        ['toll_free_inbound', 'geographic', 935],
        ['toll_free_inbound', 'mobile', 1800],
      ],
    );
    const audit = await ctx()
      .db.kysely.selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'tariffs.replace')
      .execute();
    assert.equal(audit.length, 1);
  });

  test('a toll-free call and a forwarded leg are rated line by line, and summed for the month', async () => {
    const callId = await insertCall(base({}));
    const leg = (peer: string, toNumber: string | null) => ({
      id: uuidv7(Date.now()),
      call_id: callId,
      kind: 'outbound',
      peer,
      to_number: toNumber,
      started_at: '2026-11-20T01:00:02.000Z',
      answered_at: '2026-11-20T01:00:05.000Z',
      ended_at: '2026-11-20T01:03:03.000Z', // 178 s: one 180 s unit
      outcome: 'answered',
      rtp_stats: null,
    });
    await ctx()
      .db.kysely.insertInto('call_legs')
      .values([
        // Through the carrier trunk to an 050 number: charged.
        leg('sip:05011112222@127.0.0.1:5070;user=phone', '+815011112222'),
        // To the client's own SIP phone: on-net, free.
        leg('sip:client@127.0.0.1:5090', null),
      ])
      .execute();
    const unrated = await insertCall(
      base({ caller: '+12025550100', offeredAt: '2026-11-20T02:00:00.000Z' }),
    );

    const r = await w.a.clientUser.get(`/api/v1/tenants/${w.a.id}/calls/${callId}/charges`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.totalSen, 4 * 1800 + 1155);
    assert.equal(r.body.complete, true);
    assert.deepEqual(
      r.body.lines.map((l: { kind: string; peerClass: string; units: number }) => [
        l.kind,
        l.peerClass,
        l.units,
      ]),
      [
        ['toll_free_inbound', 'mobile', 4],
        ['outbound', 'ip', 1],
      ],
    );
    const foreign = await w.a.clientUser.get(`/api/v1/tenants/${w.a.id}/calls/${unrated}/charges`);
    assert.equal(foreign.body.complete, false);
    assert.equal(foreign.body.lines[0].tariffId, null);

    const other = await w.b.clientUser.get(`/api/v1/tenants/${w.a.id}/calls/${callId}/charges`);
    assert.equal(other.status, 403);

    // The default period is the current month in Japan time (the test clock: 2026-11-21).
    const month = await w.a.clientUser.get(`/api/v1/tenants/${w.a.id}/charges`);
    assert.equal(month.status, 200, JSON.stringify(month.body));
    assert.equal(month.body.from, '2026-10-31T15:00:00.000Z');
    assert.equal(month.body.to, '2026-11-30T15:00:00.000Z');
    assert.equal(month.body.ratedCalls, 2);
    assert.equal(month.body.incompleteCalls, 1);
    assert.equal(month.body.totalSen, 4 * 1800 + 1155);
    assert.deepEqual(month.body.byKind.outbound, { seconds: 178, amountSen: 1155 });

    const bad = await w.a.clientUser.get(
      `/api/v1/tenants/${w.a.id}/charges?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z`,
    );
    assert.equal(bad.status, 422);
    assert.equal(bad.body.code, 'validation.date_range');
  });

  test('after a tariff correction, re-rating a period replaces the old figures', async () => {
    const put = await w.admin.put('/api/v1/tariffs', {
      tariffs: [
        ...sheet.tariffs,
        { kind: 'toll_free_inbound', peerClass: 'any', unitSeconds: 60, pricePerUnitSen: 3000 },
      ],
    });
    assert.equal(put.status, 200);
    const rerate = await w.admin.post(`/api/v1/tenants/${w.a.id}/charges/rerate`, {
      from: '2026-11-01T00:00:00+09:00',
      to: '2026-12-01T00:00:00+09:00',
    });
    assert.equal(rerate.status, 200, JSON.stringify(rerate.body));
    assert.ok(rerate.body.rated >= 2);
    const month = await w.a.clientUser.get(`/api/v1/tenants/${w.a.id}/charges`);
    assert.equal(month.body.incompleteCalls, 0);
    assert.equal(month.body.totalSen, 4 * 1800 + 1155 + 4 * 3000);
  });

  test('calls are rated when they end: an early-media announcement on 0120 costs nothing', async () => {
    const s = ctx().services;
    await s.trunks.create(systemActor, {
      name: 'charges-carrier',
      allowedSources: ['127.0.0.0/8'],
    });
    const n = await s.numbers.create(systemActor, { number: '0120-600-002' });
    await s.numbers.assign(systemActor, n.id, {
      tenantId: w.a.id,
      usageMode: 'announcement_only',
    });
    const handler = new InboundCallHandler({
      services: s,
      queues: noOperators,
      clock: ctx().clock,
    });
    const r = await handler.handle({
      sipCallId: `charges-${Math.random()}`,
      sourceAddress: '127.0.0.1',
      identity: {
        requestUriUser: '0120600002',
        toUser: '0120600002',
        pCalledPartyIdUser: null,
        pAssertedIdentityUser: '09011112222',
        fromUser: '09011112222',
        privacy: [],
      },
      channel: new ScriptedChannel({}),
    });
    assert.equal(r.kind, 'handled');
    if (r.kind !== 'handled') return;
    const stored = await s.store.read((repos) => repos.charges.get(r.callId));
    assert.ok(stored, 'the handler rated the call');
    assert.deepEqual([stored.totalSen, stored.complete, stored.lines], [0, true, []]);
  });
});
