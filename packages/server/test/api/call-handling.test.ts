import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { formatCallbackWindow } from '../../src/domain/callback-window.ts';
import { systemActor } from '../../src/services/store.ts';
import { snapshot } from '../support/snapshot.ts';
import { describeEachDatabase } from '../support/suite.ts';
import { buildWorld, type World } from '../support/world.ts';

const ivr = {
  steps: [
    { verb: 'answer' },
    {
      verb: 'menu',
      prompt: 'menu_main',
      options: {
        '1': [{ verb: 'enqueue', queue: 'default', overflow: [{ verb: 'callback' }] }],
        '2': [{ verb: 'callback' }],
        '9': [{ verb: 'play', prompt: 'announcement_web' }, { verb: 'hangup' }],
      },
    },
  ],
};

describeEachDatabase(
  'call-handling configuration: flows, block lists, trunks, callbacks',
  (ctx) => {
    let w: World;
    before(async () => {
      w = await buildWorld(ctx(), {
        a: '050-2000-0001',
        b: '050-2000-0002',
        free: '050-2000-0003',
      });
    });

    test('flows are validated at save time with the exact step and reason, and versioned', async () => {
      const before = await snapshot(ctx().db);
      const bad = await w.admin.post(`/api/v1/tenants/${w.a.id}/flows`, {
        name: 'broken',
        definition: {
          steps: [
            { verb: 'answer' },
            {
              verb: 'menu',
              prompt: 'menu_main',
              options: { '1': [{ verb: 'play', prompt: 'no_such_prompt' }] },
            },
          ],
        },
      });
      assert.equal(bad.status, 422);
      assert.equal(bad.body.code, 'flow.invalid');
      assert.deepEqual(bad.body.errors, [
        { path: 'steps[1].options.1[0].prompt', message: 'is not a known prompt' },
      ]);
      assert.equal(await snapshot(ctx().db), before);

      const created = await w.admin.post(`/api/v1/tenants/${w.a.id}/flows`, {
        name: 'IVR',
        definition: ivr,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.currentVersion, 1);
      const v2 = await w.admin.put(`/api/v1/tenants/${w.a.id}/flows/${created.body.id}`, {
        definition: { steps: [{ verb: 'hangup' }] },
      });
      assert.equal(v2.body.currentVersion, 2);
      assert.deepEqual(v2.body.definition, { steps: [{ verb: 'hangup' }] });
      const versions = await w.operator.get(
        `/api/v1/tenants/${w.a.id}/flows/${created.body.id}/versions`,
      );
      assert.deepEqual(
        versions.body.map((v: { version: number }) => v.version),
        [2, 1],
      );
      const v1 = await w.a.clientAdmin.get(
        `/api/v1/tenants/${w.a.id}/flows/${created.body.id}/versions/1`,
      );
      assert.deepEqual(v1.body.definition, ivr);
      const badUpdate = await w.admin.put(`/api/v1/tenants/${w.a.id}/flows/${created.body.id}`, {
        definition: { steps: [{ verb: 'hangup' }, { verb: 'answer' }] },
      });
      assert.equal(badUpdate.body.errors[0].path, 'steps[1]');
      assert.equal(
        (await w.admin.get(`/api/v1/tenants/${w.a.id}/flows/${created.body.id}`)).body
          .currentVersion,
        2,
      );
    });

    test("a number runs its attached flow, or its usage mode's default; another tenant's flow cannot be attached", async () => {
      const flows = await w.admin.get(`/api/v1/tenants/${w.a.id}/flows`);
      const ivrFlow = flows.body.find((f: { name: string }) => f.name === 'IVR');
      const wrong = await w.admin.patch(`/api/v1/numbers/${w.b.numberId}`, { flowId: ivrFlow.id });
      assert.equal(wrong.body.code, 'flow.wrong_tenant');
      const ok = await w.admin.patch(`/api/v1/numbers/${w.a.numberId}`, { flowId: ivrFlow.id });
      assert.equal(ok.body.flowId, ivrFlow.id);
      const svc = ctx().services;
      const rec = await svc.store.read((r) => r.numbers.get(w.a.numberId));
      const attached = await svc.flows.forNumber(rec!);
      assert.equal(attached.version, 2);
      const other = await svc.store.read((r) => r.numbers.get(w.b.numberId));
      const byDefault = await svc.flows.forNumber(other!);
      assert.equal(byDefault.flowId, null);
      assert.equal(byDefault.flow.steps[1]!.verb, 'enqueue');
    });

    test('block lists: numbers and prefixes, per tenant and service-wide', async () => {
      const p = await w.a.clientAdmin.post(`/api/v1/tenants/${w.a.id}/block-list`, {
        kind: 'prefix',
        value: '0570',
        reason: 'ナビダイヤル',
      });
      assert.equal(p.status, 201);
      assert.equal(p.body.value, '+81570');
      const dup = await w.a.clientAdmin.post(`/api/v1/tenants/${w.a.id}/block-list`, {
        kind: 'prefix',
        value: '+81570',
      });
      assert.equal(dup.body.code, 'block.duplicate');
      const g = await w.admin.post('/api/v1/block-list', {
        kind: 'number',
        value: '03-9876-5432',
        reason: 'いたずら',
      });
      assert.equal(g.body.value, '+81398765432');
      const bl = ctx().services.blockList;
      assert.equal((await bl.blocking('+81570123456', w.a.id))?.value, '+81570');
      assert.equal(
        await bl.blocking('+81570123456', w.b.id),
        undefined,
        "A's list does not block B's callers",
      );
      assert.equal(
        (await bl.blocking('+81398765432', w.b.id))?.reason,
        'いたずら',
        'the service-wide list blocks for everyone',
      );
      assert.equal((await bl.blocking('+819012340001', w.a.id))?.kind, 'number');
      assert.equal(await bl.blocking('+819012340002', w.a.id), undefined);
      const bad = await w.admin.post('/api/v1/block-list', { kind: 'prefix', value: 'abc' });
      assert.equal(bad.body.code, 'validation.phone_invalid');
    });

    test('trunks: CIDRs validated, passwords never returned and kept when left empty', async () => {
      const t = await w.admin.post('/api/v1/trunks', {
        name: 'NTT-like',
        allowedSources: ['203.0.113.0/24', '2001:db8::1'],
        dialedNumberFrom: 'to',
        registration: {
          registrar: 'sip:reg.carrier.example',
          username: 'acct',
          password: 's3cret',
          expiresSec: 600,
        },
      });
      assert.equal(t.status, 201, JSON.stringify(t.body));
      assert.deepEqual(t.body.allowedSources, ['203.0.113.0/24', '2001:db8::1/128']);
      assert.deepEqual(t.body.registration, {
        registrar: 'sip:reg.carrier.example',
        username: 'acct',
        expiresSec: 600,
        passwordSet: true,
      });
      assert.ok(!JSON.stringify(t.body).includes('s3cret'));
      const upd = await w.admin.patch(`/api/v1/trunks/${t.body.id}`, {
        registration: {
          registrar: 'sip:reg2.carrier.example',
          username: 'acct',
          password: '',
          expiresSec: 300,
        },
      });
      assert.equal(upd.status, 200);
      const stored = (await ctx().services.trunks.listWithSecrets()).find(
        (x) => x.id === t.body.id,
      )!;
      assert.equal(stored.registration?.password, 's3cret');
      assert.equal(stored.registration?.registrar, 'sip:reg2.carrier.example');
      for (const cidr of ['300.1.1.1', '10.0.0.0/33', 'host.example', '10.0.0.0/8/1']) {
        const bad = await w.admin.post('/api/v1/trunks', {
          name: `bad-${cidr}`,
          allowedSources: [cidr],
        });
        assert.equal(bad.body.code, 'trunk.invalid', cidr);
      }
      const audit = await w.admin.get(`/api/v1/audit?entityId=${t.body.id}`);
      assert.ok(
        !JSON.stringify(audit.body).includes('s3cret'),
        'the audit log never holds the password',
      );
    });

    test('trunks: an outbound route for calls to phone numbers, validated and removable', async () => {
      const t = await w.admin.post('/api/v1/trunks', {
        name: 'carrier-out',
        allowedSources: ['198.51.100.0/24'],
        outbound: { target: 'sip:198.51.100.7:5060;transport=tcp', numberFormat: 'national' },
      });
      assert.equal(t.status, 201, JSON.stringify(t.body));
      assert.deepEqual(t.body.outbound, {
        target: 'sip:198.51.100.7:5060;transport=tcp',
        numberFormat: 'national',
      });
      const got = await w.admin.get(`/api/v1/trunks/${t.body.id}`);
      assert.deepEqual(got.body.outbound, t.body.outbound);
      for (const [target, status] of [
        ['http://198.51.100.7', 422],
        ['sip:user@198.51.100.7', 422],
        ['sip:', 400],
      ] as const) {
        const bad = await w.admin.patch(`/api/v1/trunks/${t.body.id}`, {
          outbound: { target, numberFormat: 'e164' },
        });
        assert.equal(bad.status, status, target);
        assert.match(String(bad.headers['content-type']), /^application\/problem\+json/);
      }
      const fmt = await w.admin.patch(`/api/v1/trunks/${t.body.id}`, {
        outbound: { target: 'sip:198.51.100.7', numberFormat: 'international' },
      });
      assert.equal(fmt.status, 400);
      const off = await w.admin.patch(`/api/v1/trunks/${t.body.id}`, { outbound: null });
      assert.equal(off.status, 200);
      assert.equal(off.body.outbound, null);
      const plain = await w.admin.post('/api/v1/trunks', {
        name: 'inbound-only',
        allowedSources: ['198.51.100.8'],
      });
      assert.equal(plain.body.outbound, null);
    });

    test('callbacks: a dialable number, an explicit window written out in Japanese', async () => {
      const c = await w.operator.post(`/api/v1/tenants/${w.a.id}/callbacks`, {
        callbackNumber: '０９０－１２３４－５６７８',
        windowStart: '2026-11-22T01:00:00Z',
        windowEnd: '2026-11-22T02:00:00Z',
        reason: '見積もりの件',
      });
      assert.equal(c.status, 201, JSON.stringify(c.body));
      assert.equal(c.body.callbackNumber, '+819012345678');
      assert.equal(c.body.display, '090-1234-5678');
      assert.equal(c.body.windowText, '11月22日(日) 10時~11時');
      assert.equal(c.body.source, 'operator');
      assert.equal(c.body.status, 'open');
      const done = await w.a.clientUser.patch(`/api/v1/tenants/${w.a.id}/callbacks/${c.body.id}`, {
        status: 'done',
      });
      assert.equal(done.body.status, 'done');
      const open = await w.a.clientUser.get(`/api/v1/tenants/${w.a.id}/callbacks?status=open`);
      assert.ok(open.body.every((x: { status: string }) => x.status === 'open'));
      const before = await snapshot(ctx().db);
      for (const [body, code] of [
        [{ callbackNumber: '12345' }, 'validation.phone_invalid'],
        [{ callbackNumber: '+1 202 555 0100' }, 'validation.phone_invalid'],
        [
          {
            callbackNumber: '090-1234-5678',
            windowStart: '2026-11-22T02:00:00Z',
            windowEnd: '2026-11-22T01:00:00Z',
          },
          'validation.date_range',
        ],
        [
          { callbackNumber: '090-1234-5678', windowStart: '2026-11-22T02:00:00Z' },
          'callback.invalid',
        ],
      ] as const) {
        const r = await w.operator.post(`/api/v1/tenants/${w.a.id}/callbacks`, body);
        assert.equal(r.body.code, code, JSON.stringify(body));
      }
      assert.equal(await snapshot(ctx().db), before);
      // The IVR will create tasks through the same service.
      const t = await ctx().services.callbacks.create(systemActor, w.a.id, {
        callbackNumber: '0312345678',
        source: 'missed',
      });
      assert.equal(t.source, 'missed');
    });

    test('tenant business hours and anonymous-call policy', async () => {
      const hours = {
        weekly: { mon: [{ from: '09:00', to: '18:00' }] },
        holidays: 'closed',
        closures: [{ from: '2026-12-29', to: '2027-01-03', note: '年末年始' }],
      };
      const ok = await w.a.clientAdmin.patch(`/api/v1/tenants/${w.a.id}`, {
        businessHours: hours,
        anonymousPolicy: 'reject',
      });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.deepEqual(ok.body.businessHours, hours);
      assert.equal(ok.body.anonymousPolicy, 'reject');
      const bad = await w.a.clientAdmin.patch(`/api/v1/tenants/${w.a.id}`, {
        businessHours: { ...hours, weekly: { mon: [{ from: '18:00', to: '09:00' }] } },
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors[0].path, 'businessHours.weekly.mon[0]');
    });
  },
);

test('callback windows read as a person writes them', () => {
  assert.equal(
    formatCallbackWindow('2026-11-22T01:00:00Z', '2026-11-22T02:00:00Z'),
    '11月22日(日) 10時~11時',
  );
  assert.equal(
    formatCallbackWindow('2026-11-24T05:30:00Z', '2026-11-24T06:00:00Z'),
    '11月24日(火) 14時30分~15時',
  );
  assert.equal(
    formatCallbackWindow('2026-11-24T13:00:00Z', '2026-11-24T15:00:00Z'),
    '11月24日(火) 22時~24時',
  );
  assert.equal(
    formatCallbackWindow('2026-11-24T13:00:00Z', '2026-11-25T01:00:00Z'),
    '11月24日(火) 22時~11月25日(水) 10時',
  );
});
