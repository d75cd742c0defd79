import { AppError } from '../errors.ts';
import { isClientRole, type Role } from '../domain/roles.ts';
import { normaliseEmail } from '../domain/validation.ts';
import { randomSecret, uuidv7 } from '../ids.ts';
import type { User, UserWithSecret } from '../repositories/user-repository.ts';
import { checkPasswordStrength, hashPassword } from './passwords.ts';
import type { Actor, Store, Tx } from './store.ts';
import { requireActiveTenant } from './tenant-guard.ts';

export interface UserInput {
  email: string;
  name: string;
  role: Role;
  tenantId?: string | null;
  password: string;
}

export interface UserPatch {
  email?: string;
  name?: string;
  role?: Role;
  disabled?: boolean;
  password?: string;
}

/** Never let a hash leave the service, not even into the audit log. */
export function publicUser(u: UserWithSecret): User {
  const { passwordHash, ...rest } = u;
  return rest;
}

export class UserService {
  readonly #store: Store;
  constructor(store: Store) {
    this.#store = store;
  }

  async list(filter: { tenantId?: string | null; roles?: readonly Role[] }): Promise<User[]> {
    return (await this.#store.read((r) => r.users.list(filter))).map(publicUser);
  }

  async get(id: string, scope?: { tenantId: string }): Promise<User> {
    const u = await this.#store.read((r) => r.users.get(id));
    if (!u || (scope && u.tenantId !== scope.tenantId))
      throw new AppError('user.not_found', `no user ${id}`);
    return publicUser(u);
  }

  async create(actor: Actor, input: UserInput): Promise<User> {
    const email = normaliseEmail(input.email);
    checkPasswordStrength(input.password);
    const tenantId = input.tenantId ?? null;
    if (isClientRole(input.role) && !tenantId)
      throw new AppError('user.tenant_required', `role ${input.role} needs a tenantId`);
    if (!isClientRole(input.role) && tenantId)
      throw new AppError('user.tenant_not_allowed', `role ${input.role} has no tenant`);
    const passwordHash = await hashPassword(input.password);
    return this.#store.write(actor, async (tx) => {
      if (tenantId) await requireActiveTenant(tx, tenantId);
      if (await tx.repos.users.getByEmail(email))
        throw new AppError('user.duplicate_email', `${email} is taken`);
      const u: UserWithSecret = {
        id: uuidv7(tx.nowDate.getTime()),
        email,
        name: input.name.trim(),
        role: input.role,
        tenantId,
        passwordHash,
        disabled: false,
        createdAt: tx.now,
        updatedAt: tx.now,
        lastLoginAt: null,
      };
      await tx.repos.users.insert(u);
      await tx.audit({
        action: 'user.create',
        entityType: 'user',
        entityId: u.id,
        tenantId,
        after: publicUser(u),
      });
      return publicUser(u);
    });
  }

  async update(
    actor: Actor,
    id: string,
    patch: UserPatch,
    scope?: { tenantId: string },
  ): Promise<User> {
    if (patch.password !== undefined) checkPasswordStrength(patch.password);
    const passwordHash =
      patch.password === undefined ? undefined : await hashPassword(patch.password);
    const email = patch.email === undefined ? undefined : normaliseEmail(patch.email);
    return this.#store.write(actor, async (tx) => {
      const before = await this.#load(tx, id, scope);
      const role = patch.role ?? before.role;
      if (isClientRole(role) !== isClientRole(before.role)) {
        throw new AppError(
          isClientRole(role) ? 'user.tenant_required' : 'user.tenant_not_allowed',
          'a user cannot move between client and service roles; create a new user',
        );
      }
      if (email && email !== before.email && (await tx.repos.users.getByEmail(email))) {
        throw new AppError('user.duplicate_email', `${email} is taken`);
      }
      const after: UserWithSecret = {
        ...before,
        email: email ?? before.email,
        name: patch.name?.trim() ?? before.name,
        role,
        disabled: patch.disabled ?? before.disabled,
        passwordHash: passwordHash ?? before.passwordHash,
        updatedAt: tx.now,
      };
      const wasActiveAdmin = before.role === 'service_admin' && !before.disabled;
      const isActiveAdmin = after.role === 'service_admin' && !after.disabled;
      if (wasActiveAdmin && !isActiveAdmin && (await tx.repos.users.countActiveAdmins()) <= 1) {
        throw new AppError('user.last_admin', 'keep at least one active service admin');
      }
      await tx.repos.users.update(after);
      // A disabled user, a new password or a changed role ends every open session; a disabled
      // user's API tokens stop working too.
      if (after.disabled || passwordHash || role !== before.role)
        await tx.repos.users.deleteSessionsOf(id);
      if (after.disabled && !before.disabled) await tx.repos.users.revokeTokensOf(id, tx.now);
      const changed = { ...publicUser(after), passwordChanged: passwordHash !== undefined };
      await tx.audit({
        action: 'user.update',
        entityType: 'user',
        entityId: id,
        tenantId: after.tenantId,
        before: publicUser(before),
        after: changed,
      });
      return publicUser(after);
    });
  }

  /**
   * Creates the first service admin on an empty database. Returns the password when it was
   * generated (the caller prints it once); undefined when users exist already.
   */
  async ensureFirstAdmin(
    actor: Actor,
    email?: string,
    password?: string,
  ): Promise<{ email: string; generatedPassword?: string } | undefined> {
    if ((await this.#store.read((r) => r.users.count())) > 0) return undefined;
    const pw = password ?? randomSecret(12);
    const u = await this.create(actor, {
      email: email ?? 'admin@uketsuke.localhost',
      name: 'Administrator',
      role: 'service_admin',
      password: pw,
    });
    return password ? { email: u.email } : { email: u.email, generatedPassword: pw };
  }

  async #load(tx: Tx, id: string, scope?: { tenantId: string }): Promise<UserWithSecret> {
    const u = await tx.repos.users.get(id);
    if (!u || (scope && u.tenantId !== scope.tenantId))
      throw new AppError('user.not_found', `no user ${id}`);
    return u;
  }
}
