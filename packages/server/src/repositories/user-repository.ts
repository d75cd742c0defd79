import type { ApiTokensTable, UsersTable } from '../db/schema.ts';
import type { Role } from '../domain/roles.ts';
import { type Executor, fromBool, toBool, toCount } from './executor.ts';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  tenantId: string | null;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
  lastLoginAt: string | null;
}

export interface UserWithSecret extends User {
  passwordHash: string;
}

export interface ApiToken {
  id: string;
  userId: string;
  name: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const toUser = (r: UsersTable): UserWithSecret => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role as Role,
  tenantId: r.tenant_id,
  disabled: toBool(r.disabled),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  lastLoginAt: r.last_login_at,
  passwordHash: r.password_hash,
});

const toToken = (r: ApiTokensTable): ApiToken => ({
  id: r.id,
  userId: r.user_id,
  name: r.name,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

export class UserRepository {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async list(filter: {
    tenantId?: string | null;
    roles?: readonly Role[];
  }): Promise<UserWithSecret[]> {
    let q = this.#db.selectFrom('users').selectAll();
    if (filter.tenantId === null) q = q.where('tenant_id', 'is', null);
    else if (filter.tenantId !== undefined) q = q.where('tenant_id', '=', filter.tenantId);
    if (filter.roles) q = q.where('role', 'in', [...filter.roles]);
    const rows = await q.orderBy('email').execute();
    return rows.map(toUser);
  }

  async count(): Promise<number> {
    const r = await this.#db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    return toCount(r?.n);
  }

  async countActiveAdmins(): Promise<number> {
    const r = await this.#db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('role', '=', 'service_admin')
      .where('disabled', '=', 0)
      .executeTakeFirst();
    return toCount(r?.n);
  }

  async get(id: string): Promise<UserWithSecret | undefined> {
    const r = await this.#db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toUser(r);
  }

  async getByEmail(email: string): Promise<UserWithSecret | undefined> {
    const r = await this.#db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', email)
      .executeTakeFirst();
    return r && toUser(r);
  }

  async insert(u: UserWithSecret): Promise<void> {
    await this.#db
      .insertInto('users')
      .values({
        id: u.id,
        email: u.email,
        name: u.name,
        role: u.role,
        tenant_id: u.tenantId,
        password_hash: u.passwordHash,
        disabled: fromBool(u.disabled),
        created_at: u.createdAt,
        updated_at: u.updatedAt,
        last_login_at: u.lastLoginAt,
      })
      .execute();
  }

  async update(u: UserWithSecret): Promise<void> {
    await this.#db
      .updateTable('users')
      .set({
        email: u.email,
        name: u.name,
        role: u.role,
        tenant_id: u.tenantId,
        password_hash: u.passwordHash,
        disabled: fromBool(u.disabled),
        updated_at: u.updatedAt,
        last_login_at: u.lastLoginAt,
      })
      .where('id', '=', u.id)
      .execute();
  }

  // --- sessions (cookie logins) ---

  async insertSession(s: {
    id: string;
    userId: string;
    csrfToken: string;
    createdAt: string;
    expiresAt: string;
  }): Promise<void> {
    await this.#db
      .insertInto('sessions')
      .values({
        id: s.id,
        user_id: s.userId,
        csrf_token: s.csrfToken,
        created_at: s.createdAt,
        expires_at: s.expiresAt,
        last_seen_at: s.createdAt,
      })
      .execute();
  }

  async getSession(
    id: string,
  ): Promise<
    { userId: string; csrfToken: string; expiresAt: string; lastSeenAt: string } | undefined
  > {
    const r = await this.#db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return (
      r && {
        userId: r.user_id,
        csrfToken: r.csrf_token,
        expiresAt: r.expires_at,
        lastSeenAt: r.last_seen_at,
      }
    );
  }

  async touchSession(id: string, lastSeenAt: string, expiresAt: string): Promise<void> {
    await this.#db
      .updateTable('sessions')
      .set({ last_seen_at: lastSeenAt, expires_at: expiresAt })
      .where('id', '=', id)
      .execute();
  }

  async deleteSession(id: string): Promise<void> {
    await this.#db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  async deleteSessionsOf(userId: string): Promise<void> {
    await this.#db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  }

  async deleteExpiredSessions(now: string): Promise<void> {
    await this.#db.deleteFrom('sessions').where('expires_at', '<=', now).execute();
  }

  // --- API tokens (integrations) ---

  async insertToken(t: ApiToken & { tokenHash: string }): Promise<void> {
    await this.#db
      .insertInto('api_tokens')
      .values({
        id: t.id,
        user_id: t.userId,
        name: t.name,
        token_hash: t.tokenHash,
        created_at: t.createdAt,
        expires_at: t.expiresAt,
        last_used_at: t.lastUsedAt,
        revoked_at: t.revokedAt,
      })
      .execute();
  }

  async getTokenByHash(hash: string): Promise<ApiToken | undefined> {
    const r = await this.#db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', hash)
      .executeTakeFirst();
    return r && toToken(r);
  }

  async listTokens(userId: string): Promise<ApiToken[]> {
    const rows = await this.#db
      .selectFrom('api_tokens')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('id')
      .execute();
    return rows.map(toToken);
  }

  async getToken(userId: string, id: string): Promise<ApiToken | undefined> {
    const r = await this.#db
      .selectFrom('api_tokens')
      .selectAll()
      .where('user_id', '=', userId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toToken(r);
  }

  async touchToken(id: string, at: string): Promise<void> {
    await this.#db
      .updateTable('api_tokens')
      .set({ last_used_at: at })
      .where('id', '=', id)
      .execute();
  }

  async revokeToken(id: string, at: string): Promise<void> {
    await this.#db.updateTable('api_tokens').set({ revoked_at: at }).where('id', '=', id).execute();
  }

  async revokeTokensOf(userId: string, at: string): Promise<void> {
    await this.#db
      .updateTable('api_tokens')
      .set({ revoked_at: at })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
  }
}
