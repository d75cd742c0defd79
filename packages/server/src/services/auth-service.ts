/**
 * Logins, cookie sessions, CSRF tokens and API tokens.
 *
 * - Session cookie: 32 random bytes; only its SHA-256 is stored. Sliding idle expiry.
 * - CSRF: each session has a token the browser must echo in `X-CSRF-Token` on unsafe
 *   methods (synchronizer-token pattern); bearer-token requests are not cookie-borne and
 *   need none.
 * - API tokens: `uk_` + 32 random bytes, shown once, stored as SHA-256, revocable.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { AppError } from '../errors.ts';
import { randomSecret, uuidv7 } from '../ids.ts';
import type { ApiToken, User } from '../repositories/user-repository.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { checkPasswordStrength, decoyHash, hashPassword, verifyPassword } from './passwords.ts';
import type { Actor, Store } from './store.ts';
import { publicUser } from './user-service.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const sessionIdleMs = 12 * 3600_000;
/** Re-extend a session's expiry at most this often (saves a write per request). */
const touchEveryMs = 60_000;

export interface Principal {
  user: User;
  via: 'session' | 'token';
  /** Set for cookie sessions. */
  csrfToken?: string;
  sessionHash?: string;
  tokenId?: string;
}

export function csrfMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class AuthService {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #throttle: LoginThrottle;
  constructor(store: Store, throttle: LoginThrottle) {
    this.#store = store;
    this.#clock = store.clock;
    this.#throttle = throttle;
  }

  async login(
    emailInput: string,
    password: string,
    ip: string,
  ): Promise<{ user: User; sessionToken: string; csrfToken: string }> {
    const email = emailInput.trim().toLowerCase();
    const wait = this.#throttle.retryAfter(email, ip);
    if (wait > 0) {
      throw new AppError('auth.throttled', `try again in ${wait} s`, {
        headers: { 'retry-after': String(wait) },
      });
    }
    const user = await this.#store.read((r) => r.users.getByEmail(email));
    let ok = false;
    if (user && !user.disabled) {
      ok = await verifyPassword(user.passwordHash, password);
    } else {
      // Spend the same time as a real check, so response timing does not reveal accounts.
      await verifyPassword(await decoyHash(), password);
    }
    if (!user || !ok) {
      this.#throttle.fail(email, ip);
      throw new AppError('auth.invalid_credentials');
    }
    this.#throttle.succeed(email);
    const sessionToken = randomSecret(32);
    const csrfToken = randomSecret(24);
    const actor: Actor = {
      userId: user.id,
      label: user.email,
      via: 'session',
      role: user.role,
      tenantId: user.tenantId,
      ip,
    };
    await this.#store.write(actor, async (tx) => {
      await tx.repos.users.deleteExpiredSessions(tx.now);
      await tx.repos.users.insertSession({
        id: sha256(sessionToken),
        userId: user.id,
        csrfToken,
        createdAt: tx.now,
        expiresAt: new Date(tx.nowDate.getTime() + sessionIdleMs).toISOString(),
      });
      await tx.repos.users.update({ ...user, lastLoginAt: tx.now });
      await tx.audit({
        action: 'auth.login',
        entityType: 'user',
        entityId: user.id,
        tenantId: user.tenantId,
      });
    });
    return {
      user: publicUser({ ...user, lastLoginAt: this.#clock.now().toISOString() }),
      sessionToken,
      csrfToken,
    };
  }

  async logout(principal: Principal): Promise<void> {
    if (!principal.sessionHash) return;
    const hash = principal.sessionHash;
    await this.#store.read((r) => r.users.deleteSession(hash));
  }

  async authenticateSession(sessionToken: string): Promise<Principal | undefined> {
    const id = sha256(sessionToken);
    const now = this.#clock.now();
    return this.#store.read(async (r) => {
      const s = await r.users.getSession(id);
      if (!s || s.expiresAt <= now.toISOString()) return undefined;
      const user = await r.users.get(s.userId);
      if (!user || user.disabled) return undefined;
      if (now.getTime() - new Date(s.lastSeenAt).getTime() > touchEveryMs) {
        await r.users.touchSession(
          id,
          now.toISOString(),
          new Date(now.getTime() + sessionIdleMs).toISOString(),
        );
      }
      return { user: publicUser(user), via: 'session', csrfToken: s.csrfToken, sessionHash: id };
    });
  }

  async authenticateToken(token: string): Promise<Principal | undefined> {
    if (!token.startsWith('uk_')) return undefined;
    const now = this.#clock.now().toISOString();
    return this.#store.read(async (r) => {
      const t = await r.users.getTokenByHash(sha256(token));
      if (!t || t.revokedAt || (t.expiresAt && t.expiresAt <= now)) return undefined;
      const user = await r.users.get(t.userId);
      if (!user || user.disabled) return undefined;
      if (!t.lastUsedAt || t.lastUsedAt.slice(0, 16) !== now.slice(0, 16))
        await r.users.touchToken(t.id, now);
      return { user: publicUser(user), via: 'token', tokenId: t.id };
    });
  }

  async createToken(
    actor: Actor,
    userId: string,
    name: string,
    expiresAt: string | null,
  ): Promise<{ token: string; apiToken: ApiToken }> {
    const token = `uk_${randomSecret(32)}`;
    return this.#store.write(actor, async (tx) => {
      const apiToken: ApiToken = {
        id: uuidv7(tx.nowDate.getTime()),
        userId,
        name: name.trim(),
        createdAt: tx.now,
        expiresAt,
        lastUsedAt: null,
        revokedAt: null,
      };
      await tx.repos.users.insertToken({ ...apiToken, tokenHash: sha256(token) });
      await tx.audit({
        action: 'token.create',
        entityType: 'api_token',
        entityId: apiToken.id,
        tenantId: actor.tenantId,
        after: apiToken,
      });
      return { token, apiToken };
    });
  }

  listTokens(userId: string): Promise<ApiToken[]> {
    return this.#store.read((r) => r.users.listTokens(userId));
  }

  revokeToken(actor: Actor, userId: string, id: string): Promise<void> {
    return this.#store.write(actor, async (tx) => {
      const t = await tx.repos.users.getToken(userId, id);
      if (!t) throw new AppError('token.not_found', `no API token ${id}`);
      if (!t.revokedAt) await tx.repos.users.revokeToken(id, tx.now);
      await tx.audit({
        action: 'token.revoke',
        entityType: 'api_token',
        entityId: id,
        tenantId: actor.tenantId,
      });
    });
  }

  async changePassword(
    actor: Actor,
    principal: Principal,
    current: string,
    next: string,
  ): Promise<void> {
    checkPasswordStrength(next);
    const user = await this.#store.read((r) => r.users.get(principal.user.id));
    if (!user || !(await verifyPassword(user.passwordHash, current)))
      throw new AppError('auth.invalid_credentials', 'the current password is wrong');
    const passwordHash = await hashPassword(next);
    await this.#store.write(actor, async (tx) => {
      await tx.repos.users.update({ ...user, passwordHash, updatedAt: tx.now });
      // Other sessions end; this one stays.
      await tx.repos.users.deleteSessionsOf(user.id);
      if (principal.sessionHash && principal.csrfToken) {
        await tx.repos.users.insertSession({
          id: principal.sessionHash,
          userId: user.id,
          csrfToken: principal.csrfToken,
          createdAt: tx.now,
          expiresAt: new Date(tx.nowDate.getTime() + sessionIdleMs).toISOString(),
        });
      }
      await tx.audit({
        action: 'auth.password_change',
        entityType: 'user',
        entityId: user.id,
        tenantId: user.tenantId,
      });
    });
  }
}
