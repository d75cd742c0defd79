/**
 * Inbound calls through call control, on both databases: admission (every refusal and its
 * SIP status), each usage mode, the IVR, callback capture with read-back, hang-ups at every
 * stage — and the call records and callback tasks they leave, read back through the API.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  InboundCallHandler,
  type InboundResult,
} from '../../src/call-control/inbound-call-handler.ts';
import type { InviteIdentity } from '../../src/call-control/inbound-offer.ts';
import type { QueueManager } from '../../src/call-control/queue-manager.ts';
import { noOperators } from '../../src/call-control/queue-manager.ts';
import { systemActor } from '../../src/services/store.ts';
import { type CallerInput, ScriptedChannel } from '../support/scripted-channel.ts';
import { describeEachDatabase } from '../support/suite.ts';
import { buildWorld, type World } from '../support/world.ts';

const ivrFlow = {
  steps: [
    { verb: 'answer' },
    {
      verb: 'menu',
      prompt: 'menu_main',
      attempts: 2,
      options: {
        '1': [
          {
            verb: 'enqueue',
            queue: 'default',
            busyPrompt: 'busy',
            overflow: [{ verb: 'callback' }],
          },
        ],
        '2': [{ verb: 'callback', firstHour: 9, lastHour: 18 }],
        '9': [{ verb: 'play', prompt: 'announcement_web' }, { verb: 'hangup' }],
      },
      onFailure: [{ verb: 'play', prompt: 'goodbye' }, { verb: 'hangup' }],
    },
  ],
};

describeEachDatabase('inbound calls through call control', (ctx) => {
  let w: World;
  const nums = {
    announcement: '0120-500-001',
    answering: '03-5000-0001',
    ivr: '050-5000-0001',
    selfAnswer: '0800-500-0001',
    screened: '03-5000-0002',
    hours: '03-5000-0003',
  };
  let queues: QueueManager = noOperators;

  const handler = () =>
    new InboundCallHandler({
      services: ctx().services,
      queues: { offer: (o, s) => queues.offer(o, s) },
      clock: ctx().clock,
    });
  const identity = (
    dialed: string,
    caller: string | null,
    extra: Partial<InviteIdentity> = {},
  ): InviteIdentity => ({
    requestUriUser: dialed,
    toUser: dialed,
    pCalledPartyIdUser: null,
    pAssertedIdentityUser: caller,
    fromUser: caller ?? 'anonymous',
    privacy: [],
    ...extra,
  });
  const call = (
    dialed: string,
    opts: {
      caller?: string | null;
      inputs?: CallerInput[];
      channel?: ScriptedChannel;
      source?: string;
      extra?: Partial<InviteIdentity>;
    } = {},
  ) => {
    const channel = opts.channel ?? new ScriptedChannel({ inputs: opts.inputs ?? [] });
    const caller = opts.caller === undefined ? '09011112222' : opts.caller;
    const p = handler().handle({
      sipCallId: `sip-${Math.random()}`,
      sourceAddress: opts.source ?? '127.0.0.1',
      identity: identity(dialed, caller, opts.extra),
      channel,
    });
    return { channel, result: p };
  };
  const handled = (r: InboundResult) => {
    assert.equal(r.kind, 'handled', JSON.stringify(r));
    return r as Extract<InboundResult, { kind: 'handled' }>;
  };
  const cdr = async (callId: string) => {
    const r = await w.a.clientUser.get(`/api/v1/tenants/${w.a.id}/calls/${callId}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };

  before(async () => {
    w = await buildWorld(ctx(), { a: '050-5999-0001', b: '050-5999-0002', free: '050-5999-0003' });
    const s = ctx().services;
    for (const state of ['screening', 'contracted', 'testing', 'live'] as const) {
      await s.tenants.transition(systemActor, w.a.id, state);
      await s.tenants.transition(systemActor, w.b.id, state);
    }
    await s.trunks.create(systemActor, { name: 'test-carrier', allowedSources: ['127.0.0.0/8'] });
    const lend = async (
      number: string,
      mode: 'display' | 'forwarding' | 'announcement_only',
      destination: string | null = null,
    ) => {
      const n = await s.numbers.create(systemActor, { number });
      return s.numbers.assign(systemActor, n.id, {
        tenantId: w.a.id,
        usageMode: mode,
        destination,
      });
    };
    await lend(nums.announcement, 'announcement_only');
    await lend(nums.answering, 'forwarding');
    const ivr = await lend(nums.ivr, 'display');
    const flow = await s.flows.create(systemActor, w.a.id, 'IVR', ivrFlow);
    await s.numbers.update(systemActor, ivr.id, { flowId: flow.id });
    const self = await lend(nums.selfAnswer, 'display', 'sip:client@127.0.0.1:5090');
    await s.numbers.setSelfAnswer(systemActor, w.a.id, self.id, true);
    const screened = await lend(nums.screened, 'display');
    const sf = await s.flows.create(systemActor, w.a.id, 'screen', {
      steps: [
        { verb: 'answer' },
        {
          verb: 'screen',
          prompt: 'screen_customer',
          key: '1',
          onFail: [{ verb: 'play', prompt: 'goodbye' }, { verb: 'hangup' }],
        },
        { verb: 'enqueue', queue: 'default', overflow: [{ verb: 'voicemail' }] },
      ],
    });
    await s.numbers.update(systemActor, screened.id, { flowId: sf.id });
    const hours = await lend(nums.hours, 'display');
    const hf = await s.flows.create(systemActor, w.a.id, 'hours', {
      steps: [
        {
          verb: 'businessHours',
          hours: 'tenant',
          open: [{ verb: 'answer' }, { verb: 'play', prompt: 'greeting' }],
          closed: [
            { verb: 'play', prompt: 'closed' },
            { verb: 'voicemail', maxSec: 60 },
          ],
        },
      ],
    });
    await s.numbers.update(systemActor, hours.id, { flowId: hf.id });
  });

  test('announcement-only: early media, the message, hang up; never answered, never recorded', async () => {
    const { channel, result } = call('0120500001');
    const r = handled(await result);
    assert.deepEqual(channel.log, ['183', 'play announcement_web', 'hangup']);
    assert.equal(channel.everRecorded, false);
    const c = await cdr(r.callId);
    assert.equal(c.disposition, 'announcement');
    assert.equal(c.answeredAt, null);
    assert.equal(c.recording, null);
    assert.equal(c.dialed, '0120500001');
    assert.equal(c.callerDisplay, '090-1111-2222');
  });

  test('E.164 in the Request-URI works the same', async () => {
    const r = handled(await call('+81120500001').result);
    assert.equal((await cdr(r.callId)).disposition, 'announcement');
  });

  test('answering with no operator free: busy announcement, then callback capture with read-back and confirm', async () => {
    // Sat 2026-11-21 10:00 JST. Caller keeps their number (#), today (#), 15時, confirms.
    const { channel, result } = call('03-5000-0001', { inputs: ['', '', '15', '1'] });
    const r = handled(await result);
    assert.ok(channel.everRecorded, 'answered calls are recorded');
    const plays = channel.played.map((p) => p.name);
    assert.deepEqual(plays.slice(0, 3), ['busy', 'busy', 'enter_number']);
    const readback = channel.played.find((p) => p.name === 'readback_window');
    assert.deepEqual(readback?.params?.window, {
      start: '2026-11-21T06:00:00.000Z',
      end: '2026-11-21T07:00:00.000Z',
    });
    assert.equal(
      channel.played.find((p) => p.name === 'readback_number')?.params?.digits,
      '+819011112222',
    );
    assert.ok(plays.includes('callback_accepted'));
    const c = await cdr(r.callId);
    assert.equal(c.disposition, 'callback_requested');
    assert.ok(c.answeredAt);
    const task = await w.a.clientUser.get(
      `/api/v1/tenants/${w.a.id}/callbacks/${c.callbackTaskId}`,
    );
    assert.equal(task.body.callbackNumber, '+819011112222');
    assert.equal(task.body.windowText, '11月21日(土) 15時~16時');
    assert.equal(task.body.source, 'ivr');
    assert.equal(task.body.callId, r.callId);
  });

  test('callback capture: a wrong number is asked again; 2 re-enters; another day and number', async () => {
    // menu 2 → number '123' (invalid) → '0312345678' → date 1124 → hour 08 (too early) → 10 → 2 (re-enter)
    // → number '#' → date 1123 → hour 17 → 1.
    const inputs = ['2', '123', '0312345678', '1124', '08', '10', '2', '', '1123', '17', '1'];
    const { channel, result } = call('050-5000-0001', { inputs });
    const r = handled(await result);
    const c = await cdr(r.callId);
    assert.equal(c.disposition, 'callback_requested', channel.log.join('\n'));
    const task = await w.a.clientUser.get(
      `/api/v1/tenants/${w.a.id}/callbacks/${c.callbackTaskId}`,
    );
    assert.equal(task.body.callbackNumber, '+819011112222');
    assert.equal(task.body.windowText, '11月23日(月) 17時~18時');
    assert.equal(channel.played.filter((p) => p.name === 'invalid_choice').length, 2);
    assert.equal(channel.played.filter((p) => p.name === 'readback_window').length, 2);
  });

  test('IVR: 9 plays the announcement; a wrong key twice ends politely', async () => {
    const a = handled(await call('050-5000-0001', { inputs: ['9'] }).result);
    assert.equal((await cdr(a.callId)).disposition, 'completed');
    const { channel, result } = call('050-5000-0001', { inputs: ['7', ''] });
    const b = handled(await result);
    assert.deepEqual(
      channel.played.map((p) => p.name),
      ['menu_main', 'invalid_choice', 'menu_main', 'goodbye'],
    );
    assert.match((await cdr(b.callId)).trace.join('\n'), /menu invalid 7/);
  });

  test('hang-ups at every stage leave a correct record, and a callback task where the caller wanted one', async () => {
    const before = (await ctx().services.callbacks.list(w.a.id)).length;
    // In the menu: abandoned; a missed-call task with the caller ID.
    const menu = handled(await call('050-5000-0001', { inputs: ['HANGUP'] }).result);
    const m = await cdr(menu.callId);
    assert.equal(m.disposition, 'abandoned');
    assert.equal(m.hangupBy, 'caller');
    const missed = await w.a.clientUser.get(
      `/api/v1/tenants/${w.a.id}/callbacks/${m.callbackTaskId}`,
    );
    assert.equal(missed.body.source, 'missed');
    assert.equal(missed.body.callbackNumber, '+819011112222');
    // During callback entry: a task with the caller ID.
    const entry = handled(
      await call('050-5000-0001', { inputs: ['2', '0312345678', 'HANGUP'] }).result,
    );
    const e = await cdr(entry.callId);
    assert.equal(e.disposition, 'abandoned');
    const t = await w.a.clientUser.get(`/api/v1/tenants/${w.a.id}/callbacks/${e.callbackTaskId}`);
    assert.equal(t.body.source, 'abandoned');
    assert.equal(t.body.callbackNumber, '+819011112222');
    // Withheld caller hanging up in callback entry: nobody to call back, so no task.
    const anon = handled(
      await call('050-5000-0001', { caller: null, inputs: ['2', 'HANGUP'] }).result,
    );
    assert.equal((await cdr(anon.callId)).callbackTaskId, null);
    // In the queue: abandoned_in_queue with the wait, and a task.
    let queued: () => void = () => {};
    const inQueue = new Promise<void>((r) => {
      queued = r;
    });
    queues = {
      offer: (_o, signal) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => resolve({ outcome: 'timeout', waitMs: 0 }));
          queued();
        }),
    };
    const channel = new ScriptedChannel({ inputs: ['1'] });
    const pending = call('050-5000-0001', { channel }).result;
    // The caller waits in the queue before time passes (not after a guessed delay).
    await inQueue;
    ctx().clock.advance(42_000);
    channel.callerHangsUp();
    const q = await cdr(handled(await pending).callId);
    queues = noOperators;
    assert.equal(q.disposition, 'abandoned_in_queue');
    assert.equal(q.queueWaitMs, 42_000);
    assert.ok(q.callbackTaskId);
    assert.equal((await ctx().services.callbacks.list(w.a.id)).length, before + 3);
  });

  test('an operator answering ends the flow as answered_by_operator', async () => {
    queues = {
      offer: async () => ({
        outcome: 'answered',
        operatorId: 'op-1',
        waitMs: 3000,
        hungUpBy: 'caller',
      }),
    };
    const r = handled(await call('03-5000-0001').result);
    queues = noOperators;
    const c = await cdr(r.callId);
    assert.equal(c.disposition, 'answered_by_operator');
    assert.equal(c.queueWaitMs, 3000);
  });

  test('self-answer forwards to the client phone, and falls back to operators when unanswered', async () => {
    const answered = new ScriptedChannel({ dial: [{ outcome: 'answered', hungUpBy: 'callee' }] });
    const r1 = handled(await call('0800-500-0001', { channel: answered }).result);
    assert.deepEqual(answered.log, ['dial sip:client@127.0.0.1:5090 from +819011112222: answered']);
    assert.equal((await cdr(r1.callId)).disposition, 'forwarded');
    // Who ended the bridged call is the forwarded leg's news, not the caller channel's.
    assert.equal((await cdr(r1.callId)).hangupBy, 'callee');
    const missed = new ScriptedChannel({ dial: [{ outcome: 'no_answer' }], inputs: ['HANGUP'] });
    const r2 = handled(await call('0800-500-0001', { channel: missed }).result);
    assert.equal(missed.log[0], 'dial sip:client@127.0.0.1:5090 from +819011112222: no_answer');
    assert.equal(missed.log[1], 'answer');
    assert.equal((await cdr(r2.callId)).hangupBy, 'caller');
  });

  test('screening: a caller who does not press 1 is screened out and not billed', async () => {
    const r = handled(await call('03-5000-0002', { inputs: [''] }).result);
    const c = await cdr(r.callId);
    assert.equal(c.disposition, 'screened_out');
    assert.equal(c.billable, false);
    const ok = handled(await call('03-5000-0002', { inputs: ['1'] }).result);
    const c2 = await cdr(ok.callId);
    assert.equal(c2.disposition, 'voicemail');
    assert.equal(c2.billable, true);
    assert.equal(c2.recording, 'voicemail/test.wav');
    // A voicemail is reported to the client, with the call record, in one transaction.
    const reports = (await w.admin.get(`/api/v1/tenants/${w.a.id}/reports?limit=5`)).body;
    const vm = reports.find(
      (r: { source: string; callId: string }) => r.source === 'voicemail' && r.callId === ok.callId,
    );
    assert.ok(vm, 'a voicemail report exists');
    assert.equal(vm.content.recording, 'voicemail/test.wav');
  });

  test('business hours on a fixed clock: open on Saturday 10時, closed on 勤労感謝の日', async () => {
    await ctx().services.tenants.update(systemActor, w.a.id, {
      businessHours: {
        weekly: { sat: [{ from: '09:00', to: '18:00' }], mon: [{ from: '09:00', to: '18:00' }] },
        holidays: 'closed',
        closures: [],
      },
    });
    const open = new ScriptedChannel();
    handled(await call('03-5000-0003', { channel: open }).result);
    assert.deepEqual(
      open.played.map((p) => p.name),
      ['greeting'],
    );
    const saved = ctx().clock.now();
    ctx().clock.set('2026-11-23T01:00:00Z'); // Mon 10:00 JST, a public holiday
    const closed = new ScriptedChannel({ inputs: [] });
    const r = handled(await call('03-5000-0003', { channel: closed }).result);
    ctx().clock.set(saved);
    assert.deepEqual(
      closed.played.map((p) => p.name),
      ['closed', 'voicemail_beep', 'goodbye'],
    );
    assert.match((await cdr(r.callId)).trace.join('\n'), /closed \(holiday 勤労感謝の日\)/);
    await ctx().services.tenants.update(systemActor, w.a.id, { businessHours: null });
  });

  test('refusals: each with its SIP status, blocked calls recorded unbilled', async () => {
    const s = ctx().services;
    const unknownSource = await call('03-5000-0001', { source: '192.0.2.10' }).result;
    assert.deepEqual(
      [unknownSource.kind, (unknownSource as { status: number }).status],
      ['rejected', 403],
    );
    const notOurs = await call('03-9999-9999').result;
    assert.equal((notOurs as { status: number }).status, 404);
    const garbage = await call('hello').result;
    assert.equal((garbage as { status: number }).status, 484);
    const notLent = await call('050-5999-0003').result;
    assert.equal((notLent as { status: number }).status, 404);

    await s.blockList.add(systemActor, w.a.id, {
      kind: 'prefix',
      value: '090-9999',
      reason: '営業電話',
    });
    const blocked = await call('03-5000-0001', { caller: '09099990000' }).result;
    assert.equal(blocked.kind, 'rejected');
    assert.equal((blocked as { status: number }).status, 603);
    const c = await cdr((blocked as { callId: string }).callId);
    assert.equal(c.disposition, 'blocked');
    assert.equal(c.billable, false);
    assert.equal(c.sipStatus, 603);
    assert.equal(c.caller, '+819099990000', 'refused calls keep the caller in E.164 too');
    const legs = await s.calls.legs(c.id);
    assert.deepEqual(
      legs.map((l) => [l.kind, l.outcome, l.sipStatus, l.hangupBy, l.answeredAt]),
      [['inbound', 'rejected', 603, 'platform', null]],
    );

    await s.tenants.update(systemActor, w.a.id, { anonymousPolicy: 'reject' });
    const anon = await call('03-5000-0001', { caller: null, extra: { privacy: ['id'] } }).result;
    assert.equal((anon as { status: number }).status, 433);
    await s.tenants.update(systemActor, w.a.id, { anonymousPolicy: 'allow' });

    // Released numbers rest in quarantine: 410 Gone.
    const n = await s.numbers.create(systemActor, { number: '050-5000-0099' });
    await s.numbers.assign(systemActor, n.id, { tenantId: w.a.id, usageMode: 'display' });
    await s.numbers.release(systemActor, n.id);
    assert.equal(((await call('050-5000-0099').result) as { status: number }).status, 410);

    await s.tenants.transition(systemActor, w.b.id, 'suspended');
    assert.equal(((await call('050-5999-0002').result) as { status: number }).status, 480);
  });

  test('privacy: a withheld caller is recorded as withheld, never with the number', async () => {
    const r = handled(
      await call('0120-500-001', { caller: '09011112222', extra: { privacy: ['id'] } }).result,
    );
    const c = await cdr(r.callId);
    assert.equal(c.caller, null);
    assert.equal(c.callerWithheld, true);
    assert.equal(c.callerDisplay, '非通知 (withheld)');
  });

  test('call history: tenant-scoped and filterable', async () => {
    const mine = await w.a.clientUser.get(
      `/api/v1/tenants/${w.a.id}/calls?disposition=announcement`,
    );
    assert.ok(
      mine.body.length >= 2 &&
        mine.body.every(
          (c: { disposition: string; tenantId: string }) =>
            c.disposition === 'announcement' && c.tenantId === w.a.id,
        ),
    );
    const ids = mine.body.map((c: { id: string }) => c.id);
    assert.deepEqual([...ids].sort().reverse(), ids, 'newest first');
    const other = await w.b.clientUser.get(`/api/v1/tenants/${w.b.id}/calls`);
    assert.ok(other.body.every((c: { tenantId: string }) => c.tenantId === w.b.id));
    const foreign = await w.b.clientUser.get(`/api/v1/tenants/${w.b.id}/calls/${ids[0]}`);
    assert.equal(foreign.status, 404);
  });
});
