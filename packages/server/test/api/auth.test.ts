import assert from 'node:assert/strict';
import { before, beforeEach, test } from 'node:test';
import { adminCredentials, Client } from '../support/harness.ts';
import { describeEachDatabase } from '../support/suite.ts';

describeEachDatabase('authentication, sessions, CSRF and API tokens', (ctx) => {
  let admin: Client;
  before(async () => {
    admin = await Client.login(ctx().app, adminCredentials.email, adminCredentials.password);
    const r = await admin.post('/api/v1/users', {
      email: 'op@auth.example',
      name: 'Op',
      role: 'operator',
      password: 'operator-pass-1',
    });
    assert.equal(r.status, 201);
  });
  // Some tests move the clock past the session lifetime.
  beforeEach(async () => {
    admin = await Client.login(ctx().app, adminCredentials.email, adminCredentials.password);
  });

  test('passwords are stored as Argon2id hashes', async () => {
    const row = await ctx()
      .db.kysely.selectFrom('users')
      .select('password_hash')
      .where('email', '=', 'op@auth.example')
      .executeTakeFirstOrThrow();
    assert.match(row.password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.ok(!row.password_hash.includes('operator-pass-1'));
  });

  test('login sets an HttpOnly session cookie and a CSRF token; wrong passwords are refused alike', async () => {
    const c = new Client(ctx().app);
    const r = await c.post('/api/v1/auth/login', {
      email: 'OP@auth.example',
      password: 'operator-pass-1',
    });
    assert.equal(r.status, 200);
    const cookies = ([] as string[]).concat(r.headers['set-cookie'] as string[]);
    const session = cookies.find((x) => x.startsWith('uketsuke_session='))!;
    assert.match(session, /HttpOnly/);
    assert.match(session, /SameSite=Lax/);
    assert.equal(typeof r.body.csrfToken, 'string');
    const me = await c.get('/api/v1/auth/me');
    assert.equal(me.body.user.email, 'op@auth.example');
    assert.equal(me.body.user.passwordHash, undefined);

    const wrong = await new Client(ctx().app).post('/api/v1/auth/login', {
      email: 'op@auth.example',
      password: 'nope-nope',
    });
    const unknown = await new Client(ctx().app).post('/api/v1/auth/login', {
      email: 'ghost@auth.example',
      password: 'nope-nope',
    });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.deepEqual({ ...wrong.body, instance: 0 }, { ...unknown.body, instance: 0 });
  });

  test('unsafe requests on a cookie session need the CSRF token', async () => {
    const c = await Client.login(ctx().app, 'op@auth.example', 'operator-pass-1');
    const token = c.csrf;
    c.csrf = undefined;
    const r = await c.post('/api/v1/auth/tokens', { name: 'x' });
    assert.equal(r.status, 403);
    assert.equal(r.body.code, 'auth.csrf');
    const wrong = await c.request(
      'POST',
      '/api/v1/auth/tokens',
      { name: 'x' },
      { 'x-csrf-token': 'forged' },
    );
    assert.equal(wrong.body.code, 'auth.csrf');
    c.csrf = token;
    assert.equal((await c.post('/api/v1/auth/tokens', { name: 'x' })).status, 201);
  });

  test('login throttling: five failures lock the account for the window, then it opens again', async () => {
    await admin.post('/api/v1/users', {
      email: 'victim@auth.example',
      name: 'V',
      role: 'operator',
      password: 'victim-pass-1',
    });
    const anon = new Client(ctx().app);
    for (let i = 0; i < 5; i++) {
      assert.equal(
        (
          await anon.post('/api/v1/auth/login', {
            email: 'victim@auth.example',
            password: `guess-${i}-x`,
          })
        ).status,
        401,
      );
    }
    const locked = await anon.post('/api/v1/auth/login', {
      email: 'victim@auth.example',
      password: 'victim-pass-1',
    });
    assert.equal(locked.status, 429);
    assert.equal(locked.body.code, 'auth.throttled');
    assert.ok(Number(locked.headers['retry-after']) > 0);
    ctx().clock.advance(15 * 60_000 + 1000);
    assert.equal(
      (
        await anon.post('/api/v1/auth/login', {
          email: 'victim@auth.example',
          password: 'victim-pass-1',
        })
      ).status,
      200,
    );
  });

  test('API tokens: bearer auth without CSRF, shown once, revocable, never stored in clear', async () => {
    const created = await admin.post('/api/v1/auth/tokens', {
      name: 'integration',
      expiresInDays: 30,
    });
    assert.equal(created.status, 201);
    const token = created.body.token as string;
    assert.match(token, /^uk_/);
    const stored = await ctx()
      .db.kysely.selectFrom('api_tokens')
      .select('token_hash')
      .where('id', '=', created.body.apiToken.id)
      .executeTakeFirstOrThrow();
    assert.notEqual(stored.token_hash, token);
    const bot = Client.withToken(ctx().app, token);
    assert.equal((await bot.get('/api/v1/tenants')).status, 200);
    const t = await bot.post('/api/v1/tenants', { name: 'Token社', nameKana: 'トークン' });
    assert.equal(t.status, 201, 'bearer requests need no CSRF token');
    const listed = await admin.get('/api/v1/auth/tokens');
    assert.ok(
      listed.body.every((x: Record<string, unknown>) => !('token' in x) && !('tokenHash' in x)),
    );
    assert.equal(
      (await admin.delete(`/api/v1/auth/tokens/${created.body.apiToken.id}`)).status,
      204,
    );
    const after = await bot.get('/api/v1/tenants');
    assert.equal(after.status, 401);
    assert.equal(after.body.code, 'auth.token_invalid');
    assert.equal(
      (await Client.withToken(ctx().app, 'uk_madeup').get('/api/v1/tenants')).status,
      401,
    );
  });

  test('expired tokens stop working', async () => {
    const created = await admin.post('/api/v1/auth/tokens', { name: 'short', expiresInDays: 1 });
    const bot = Client.withToken(ctx().app, created.body.token);
    assert.equal((await bot.get('/api/v1/auth/me')).status, 200);
    ctx().clock.advance(86_400_000 + 1000);
    assert.equal((await bot.get('/api/v1/auth/me')).status, 401);
  });

  test('sessions expire when idle, and end on logout, disable and password change', async () => {
    const c = await Client.login(ctx().app, 'op@auth.example', 'operator-pass-1');
    ctx().clock.advance(13 * 3600_000);
    assert.equal((await c.get('/api/v1/auth/me')).status, 401, 'idle session expired');
    admin = await Client.login(ctx().app, adminCredentials.email, adminCredentials.password);

    const c2 = await Client.login(ctx().app, 'op@auth.example', 'operator-pass-1');
    assert.equal((await c2.post('/api/v1/auth/logout')).status, 204);
    assert.equal((await c2.get('/api/v1/auth/me')).status, 401);

    const c3 = await Client.login(ctx().app, 'op@auth.example', 'operator-pass-1');
    const other = await Client.login(ctx().app, 'op@auth.example', 'operator-pass-1');
    const changed = await c3.post('/api/v1/auth/password', {
      currentPassword: 'operator-pass-1',
      newPassword: 'operator-pass-2',
    });
    assert.equal(changed.status, 204);
    assert.equal(
      (await c3.get('/api/v1/auth/me')).status,
      200,
      'the session that changed it stays',
    );
    assert.equal((await other.get('/api/v1/auth/me')).status, 401, 'other sessions end');

    const users = await admin.get('/api/v1/users?role=operator');
    const op = users.body.find((u: { email: string }) => u.email === 'op@auth.example');
    const tok = await c3.post('/api/v1/auth/tokens', { name: 'op-token' });
    assert.equal((await admin.patch(`/api/v1/users/${op.id}`, { disabled: true })).status, 200);
    assert.equal((await c3.get('/api/v1/auth/me')).status, 401, 'disabled user is logged out');
    assert.equal(
      (await Client.withToken(ctx().app, tok.body.token).get('/api/v1/auth/me')).status,
      401,
      'and the tokens die',
    );
    assert.equal(
      (
        await new Client(ctx().app).post('/api/v1/auth/login', {
          email: 'op@auth.example',
          password: 'operator-pass-2',
        })
      ).status,
      401,
    );
  });

  test('the last active service admin cannot be disabled or demoted', async () => {
    const me = await admin.get('/api/v1/auth/me');
    const r = await admin.patch(`/api/v1/users/${me.body.user.id}`, { disabled: true });
    assert.equal(r.status, 409);
    assert.equal(r.body.code, 'user.last_admin');
    const demote = await admin.patch(`/api/v1/users/${me.body.user.id}`, { role: 'supervisor' });
    assert.equal(demote.body.code, 'user.last_admin');
  });
});
