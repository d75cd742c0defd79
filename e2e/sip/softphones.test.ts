/**
 * Softphone interop through the B2BUA test app (support/b2bua-app.ts, built only on
 * @uketsuke/sip): baresip (alice) and linphonec (bob) register with Digest auth, then call
 * each other through the app's B2BUA. Each call is answered, lasts a moment, and is hung
 * up — by the caller or the callee, from either program — while the app checks both
 * legs' dialog states: early while ringing, confirmed once answered, terminated after the
 * BYE, with the B2BUA's end naming the leg that hung up. With 100rel turned on in
 * linphonec, PRACK (RFC 3262) is checked on both legs; pager MESSAGEs (RFC 3428) are
 * forwarded through the app and sent by it; the app REFERs linphonec to another target
 * and follows its NOTIFYs (RFC 3515), and sends UPDATE (RFC 3311) on both legs.
 *
 * Real processes on 127.0.0.1 only: app 15100; baresip SIP 15110 (+15111 TLS), ctrl_tcp
 * 15115, RTP 36000–36019; linphonec SIP 15130, RTP 36040. Each program gets its own
 * temporary HOME and config, and no sound device. Skipped when either is not installed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { B2buaApp, type CallRecord } from './support/b2bua-app.ts';
import {
  BARESIP_SKIP,
  Baresip,
  killAllSoftphones,
  LINPHONE_SKIP,
  Linphone,
  type PhoneAccount,
  waitFor,
} from './support/b2bua-app-phones.ts';

const SKIP = BARESIP_SKIP ?? LINPHONE_SKIP;
const APP_PORT = 15100;
const USERS = { alice: 'alice-Secret-1', bob: 'bob-Secret-2' };
const WAIT = 15_000;

const account = (user: 'alice' | 'bob'): PhoneAccount => ({
  user,
  password: USERS[user],
  registrar: `127.0.0.1:${APP_PORT}`,
  domain: '127.0.0.1',
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('softphones through the B2BUA app', { skip: SKIP, timeout: 120_000 }, () => {
  let app: B2buaApp;
  let alice: Baresip;
  let bob: Linphone;

  const detail = () =>
    [
      '--- app',
      ...app.log,
      '--- baresip events',
      ...alice.events.map((e) => `${e.type} ${e.param ?? ''}`),
      '--- baresip (tail)',
      ...alice.output.slice(-40),
      '--- linphonec (tail)',
      ...bob.output.filter((l) => !/^\d{4}-\d\d-\d\d /.test(l)).slice(-40),
    ].join('\n');

  /** The app's dialog-state log of one call: the states both legs went through. */
  const legStates = (rec: CallRecord) => rec.states.map((s) => `${s.event}: ${s.a}/${s.b}`);

  function assertLegs(rec: CallRecord, hungUpBy: 'a' | 'b'): void {
    const log = legStates(rec).join('\n');
    // Ringing: both early; answered: both confirmed; afterwards both terminated.
    assert.ok(
      rec.states.some((s) => s.event === 'ringing' && s.a === 'early' && s.b === 'early'),
      log,
    );
    assert.ok(
      rec.states.some((s) => s.a === 'confirmed' && s.b === 'confirmed'),
      log,
    );
    assert.equal(rec.end?.by, hungUpBy, log);
    assert.equal(rec.end?.end?.reason, 'bye', log);
    assert.equal(rec.end?.end?.by, 'remote', log);
    assert.equal(rec.call.a.state, 'terminated', log);
    assert.equal(rec.call.b?.state, 'terminated', log);
    assert.equal(rec.call.a.end?.reason, 'bye', log);
    assert.equal(rec.call.b?.end?.reason, 'bye', log);
    // Media stays on loopback: both offers and answers name 127.0.0.1.
    for (const sdp of [rec.call.a.remoteSdp, rec.call.b?.remoteSdp]) {
      assert.match(sdp ?? '', /^c=IN IP4 127\.0\.0\.1\s*$/m, `${log}\n${sdp}`);
    }
  }

  before(async () => {
    if (SKIP !== undefined) return;
    // baresip 1.0 gives up on a 401 that also offers SHA-256, so MD5 only here.
    app = await B2buaApp.start({
      port: APP_PORT,
      users: USERS,
      algorithms: ['MD5'],
      reliableProvisionals: true,
    });
    alice = await Baresip.start(account('alice'), { sip: 15110, ctrl: 15115, rtp: [36000, 36019] });
    // linphonec with 100rel (level 2): Supported: 100rel in its INVITEs, PRACKs reliable
    // 1xx, and rings reliably itself when the INVITE supports 100rel.
    bob = Linphone.start(account('bob'), { sip: 15130, rtp: 36040 }, ['100rel_support_level=2']);
  });

  after(async () => {
    await alice?.stop();
    await bob?.stop();
    killAllSoftphones();
    await app?.close();
  });

  test('both register with Digest auth', async () => {
    await waitFor(
      'both registrations',
      () => app.contactOf('alice') !== undefined && app.contactOf('bob') !== undefined,
      WAIT,
      detail,
    );
    assert.match(app.contactOf('alice') ?? '', /@127\.0\.0\.1:15110/);
    assert.match(app.contactOf('bob') ?? '', /@127\.0\.0\.1:15130/);
  });

  test('baresip calls linphonec; baresip (the caller) hangs up', async () => {
    const n = app.calls.length;
    const mark = bob.mark;
    alice.clearEvents();
    assert.equal((await alice.command('dial', `sip:bob@127.0.0.1:${APP_PORT}`)).ok, true);
    await waitFor(
      'linphonec to ring',
      () => bob.saw(/Receiving new incoming call/, mark),
      WAIT,
      detail,
    );
    await waitFor('baresip to hear ringing', () => alice.hasEvent('CALL_RINGING'), WAIT, detail);
    // Answer only once our leg B has PRACKed linphonec's reliable 180 (answering earlier
    // lets linphonec skip the 1xx, which is legal but would prove nothing).
    const b1xx = () =>
      `leg B 1xx: ${app.calls[n]?.provisionalsFromB.join(', ') ?? 'none'}\n${detail()}`;
    await waitFor(
      'our PRACK on leg B answered',
      () => (app.calls[n]?.prackedOnB ?? 0) >= 1,
      WAIT,
      b1xx,
    );
    bob.send('answer');
    await waitFor(
      'baresip CALL_ESTABLISHED',
      () => alice.hasEvent('CALL_ESTABLISHED'),
      WAIT,
      detail,
    );
    await waitFor(
      'linphonec connected',
      () => bob.saw(/Call \d+ with .* connected/, mark),
      WAIT,
      detail,
    );
    const rec = app.calls[n];
    assert.ok(rec, detail());
    await pause(1000);
    assert.equal(rec.call.state, 'connected', detail());
    assert.equal((await alice.command('hangup')).ok, true);
    await waitFor('the B2BUA call to end', () => rec.end !== undefined, WAIT, detail);
    await waitFor(
      'linphonec to see the end',
      () => bob.saw(/Call \d+ with .* ended/, mark),
      WAIT,
      detail,
    );
    await waitFor('both legs terminated', () => rec.call.b?.state === 'terminated', WAIT, detail);
    assertLegs(rec, 'a');
    // baresip 1.0 does not support 100rel: its 180 came unreliably, nothing to PRACK.
    assert.equal(rec.pracksFromA, 0);
    // linphonec (100rel level 2) rang reliably on leg B; our leg B PRACKed it, 200.
    assert.ok(rec.reliableFromB >= 1, b1xx());
    assert.ok(rec.prackedOnB >= 1, b1xx());
  });

  test('linphonec calls baresip; baresip (the callee) hangs up', async () => {
    const n = app.calls.length;
    const mark = bob.mark;
    alice.clearEvents();
    bob.send(`call sip:alice@127.0.0.1:${APP_PORT}`);
    await waitFor('baresip CALL_INCOMING', () => alice.hasEvent('CALL_INCOMING'), WAIT, detail);
    // Accept only once linphonec has PRACKed the 180 we relayed reliably on leg A (a 2xx
    // first would make the PRACK moot).
    await waitFor(
      'linphonec to PRACK our 180',
      () => (app.calls[n]?.pracksFromA ?? 0) >= 1,
      WAIT,
      detail,
    );
    assert.equal((await alice.command('accept')).ok, true);
    await waitFor(
      'baresip CALL_ESTABLISHED',
      () => alice.hasEvent('CALL_ESTABLISHED'),
      WAIT,
      detail,
    );
    await waitFor(
      'linphonec connected',
      () => bob.saw(/Call \d+ with .* connected/, mark),
      WAIT,
      detail,
    );
    const rec = app.calls[n];
    assert.ok(rec, detail());
    await pause(1000);
    assert.equal((await alice.command('hangup')).ok, true);
    await waitFor('the B2BUA call to end', () => rec.end !== undefined, WAIT, detail);
    await waitFor(
      'linphonec to see the end',
      () => bob.saw(/Call \d+ with .* ended/, mark),
      WAIT,
      detail,
    );
    await waitFor('both legs terminated', () => rec.call.a.state === 'terminated', WAIT, detail);
    assertLegs(rec, 'b');
    // linphonec (100rel) PRACKed the 180 we relayed reliably on leg A (RFC 3262).
    assert.ok(rec.pracksFromA >= 1, legStates(rec).join('\n'));
  });

  test('baresip calls linphonec; linphonec (the callee) hangs up', async () => {
    const n = app.calls.length;
    const mark = bob.mark;
    alice.clearEvents();
    assert.equal((await alice.command('dial', `sip:bob@127.0.0.1:${APP_PORT}`)).ok, true);
    await waitFor(
      'linphonec to ring',
      () => bob.saw(/Receiving new incoming call/, mark),
      WAIT,
      detail,
    );
    bob.send('answer');
    await waitFor(
      'baresip CALL_ESTABLISHED',
      () => alice.hasEvent('CALL_ESTABLISHED'),
      WAIT,
      detail,
    );
    const rec = app.calls[n];
    assert.ok(rec?.call.b, detail());
    await waitFor('leg B confirmed', () => rec.call.b?.state === 'confirmed', WAIT, detail);
    // UPDATE (RFC 3311) from the app. linphonec allows it: a bodiless refresh gets 200,
    // and an offer (our current SDP again) is answered in the 200.
    assert.deepEqual(await rec.call.b.update(), { status: 200 });
    const offered = await rec.call.b.update(rec.call.b.localSdp);
    assert.equal(offered.status, 200);
    assert.match(offered.sdp ?? '', /^m=audio /m);
    // baresip 1.0 does not list UPDATE in Allow (so our session timer would refresh it
    // with re-INVITE) and answers 501; a 501 leaves the call up (RFC 3261 §12.2.1.2).
    assert.doesNotMatch(rec.call.a.request.headers.get('allow') ?? '', /UPDATE/);
    assert.equal((await rec.call.a.update()).status, 501);
    assert.equal(rec.call.a.state, 'confirmed');
    await pause(1000);
    bob.send('terminate');
    await waitFor('baresip CALL_CLOSED', () => alice.hasEvent('CALL_CLOSED'), WAIT, detail);
    await waitFor('the B2BUA call to end', () => rec.end !== undefined, WAIT, detail);
    await waitFor('both legs terminated', () => rec.call.a.state === 'terminated', WAIT, detail);
    assertLegs(rec, 'b');
  });

  test('REFER (RFC 3515): the app refers linphonec elsewhere and reads its NOTIFYs', async () => {
    const n = app.calls.length;
    const mark = bob.mark;
    alice.clearEvents();
    assert.equal((await alice.command('dial', `sip:bob@127.0.0.1:${APP_PORT}`)).ok, true);
    await waitFor(
      'linphonec to ring',
      () => bob.saw(/Receiving new incoming call/, mark),
      WAIT,
      detail,
    );
    bob.send('answer');
    await waitFor(
      'baresip CALL_ESTABLISHED',
      () => alice.hasEvent('CALL_ESTABLISHED'),
      WAIT,
      detail,
    );
    const rec = app.calls[n];
    assert.ok(rec?.call.b, detail());
    await waitFor('leg B confirmed', () => rec.call.b?.state === 'confirmed', WAIT, detail);
    // carol is not registered: linphonec's INVITE to her through the app gets 480.
    const refer = rec.call.b.refer(`sip:carol@127.0.0.1:${APP_PORT}`);
    const statuses: number[] = [];
    refer.on('progress', (p) => statuses.push(p.status));
    const outcome = await Promise.race([
      refer.settled,
      pause(WAIT).then(() => assert.fail(`no final NOTIFY\n${detail()}`)),
    ]);
    assert.equal(outcome.referStatus, 202);
    assert.equal(outcome.progress?.status, 480, detail());
    assert.equal(outcome.progress?.final, true);
    assert.equal(statuses[0], 100, detail());
    // The referred INVITE reached the app as a call of its own and was refused there.
    assert.ok(
      app.calls.slice(n + 1).some((c) => c.to.includes('carol') && c.end?.status === 480),
      detail(),
    );
    // linphonec held the call while trying carol and resumed it: re-INVITEs crossed the
    // B2BUA to baresip, and the call is still up on both legs.
    await waitFor('the call resumed', () => bob.saw(/Resuming call/, mark), WAIT, detail);
    await pause(500);
    assert.equal(rec.call.a.state, 'confirmed');
    assert.equal(rec.call.b.state, 'confirmed');
    assert.ok(alice.events.filter((e) => e.type === 'CALL_REMOTE_SDP').length >= 2, detail());
    assert.equal((await alice.command('hangup')).ok, true);
    await waitFor('the B2BUA call to end', () => rec.end !== undefined, WAIT, detail);
    await waitFor('both legs terminated', () => rec.call.b?.state === 'terminated', WAIT, detail);
  });

  test('MESSAGE (RFC 3428): linphonec → app → baresip, and the app → linphonec', async () => {
    const n = app.messages.length;
    const screened = app.messageScreening.length;
    bob.send(`chat sip:alice@127.0.0.1:${APP_PORT} hello alice, it is bob`);
    await waitFor(
      'the forwarded MESSAGE to be answered',
      () => app.messages.length > n,
      WAIT,
      detail,
    );
    assert.deepEqual(app.messages[n], {
      from: '<sip:bob@127.0.0.1>',
      to: 'alice',
      body: 'hello alice, it is bob',
      status: 200,
    });
    // The app challenged linphonec's MESSAGE (407) and admitted its authenticated retry.
    assert.deepEqual(app.messageScreening.slice(screened), [407, 200]);
    // baresip's SIP trace shows the body it accepted (its stdout may lag the 200).
    await waitFor(
      "the MESSAGE body in baresip's trace",
      () => alice.output.includes('hello alice, it is bob'),
      WAIT,
      detail,
    );
    const mark = bob.mark;
    const sent = await app.endpoint.message({
      uri: app.contactOf('bob') ?? '',
      from: '<sip:pbx@127.0.0.1>',
      body: 'hi bob, from the pbx',
    });
    assert.equal(sent.status, 200);
    await waitFor(
      'linphonec to show it',
      () => bob.saw(/Message received from sip:pbx@127\.0\.0\.1: hi bob, from the pbx/, mark),
      WAIT,
      detail,
    );
  });

  test('a call to a user who is not registered gets 480 (no second leg)', async () => {
    const n = app.calls.length;
    alice.clearEvents();
    assert.equal((await alice.command('dial', `sip:carol@127.0.0.1:${APP_PORT}`)).ok, true);
    await waitFor('baresip CALL_CLOSED', () => alice.hasEvent('CALL_CLOSED'), WAIT, detail);
    const rec = app.calls[n];
    assert.deepEqual(rec?.end, { by: 'local', status: 480 }, detail());
    assert.equal(rec?.call.b, undefined);
  });
});
