/**
 * The unit of work. Every change runs in one database transaction together with its audit
 * entry, so an audit log can never miss a change that happened (or record one that did not).
 */
import type { Clock } from '../clock.ts';
import type { Db } from '../db/connect.ts';
import type { Role } from '../domain/roles.ts';
import { uuidv7 } from '../ids.ts';
import type { AuditVia } from '../repositories/audit-repository.ts';
import { type Repositories, repositories } from '../repositories/index.ts';

/** Who is acting: a logged-in user, an API token, or the system itself. */
export interface Actor {
  userId: string | null;
  label: string;
  via: AuditVia;
  role: Role | 'system';
  /** Set for client roles: the one tenant they belong to. */
  tenantId: string | null;
  ip: string | null;
}

export const systemActor: Actor = {
  userId: null,
  label: 'system',
  via: 'system',
  role: 'system',
  tenantId: null,
  ip: null,
};

export interface Tx {
  repos: Repositories;
  /** The transaction's timestamp (ISO-8601 UTC), the same for every row it writes. */
  now: string;
  nowDate: Date;
  audit(entry: {
    action: string;
    entityType: string;
    entityId: string;
    tenantId: string | null;
    before?: unknown;
    after?: unknown;
  }): Promise<void>;
  /** Runs `fn` once the transaction has committed (never if it rolls back). */
  afterCommit(fn: () => void): void;
}

export class Store {
  readonly #db: Db;
  readonly clock: Clock;
  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.clock = clock;
  }

  get dialect(): Db['dialect'] {
    return this.#db.dialect;
  }

  /** A transaction without an audit entry: for machinery (delivery claims), not for changes people make. */
  transaction<T>(fn: (repos: Repositories) => Promise<T>): Promise<T> {
    return this.#db.kysely.transaction().execute((trx) => fn(repositories(trx)));
  }

  /** Reads outside a transaction. */
  read<T>(fn: (repos: Repositories) => Promise<T>): Promise<T> {
    return fn(repositories(this.#db.kysely));
  }

  /** A change, atomically with its audit entries. */
  async write<T>(actor: Actor, fn: (tx: Tx) => Promise<T>): Promise<T> {
    const committed: (() => void)[] = [];
    const result = await this.#db.kysely.transaction().execute(async (trx) => {
      const repos = repositories(trx);
      const nowDate = this.clock.now();
      const now = nowDate.toISOString();
      const tx: Tx = {
        repos,
        now,
        nowDate,
        afterCommit: (f) => committed.push(f),
        audit: (e) =>
          repos.audit.insert({
            id: uuidv7(nowDate.getTime()),
            at: now,
            actorUserId: actor.userId,
            actorLabel: actor.label,
            via: actor.via,
            tenantId: e.tenantId,
            action: e.action,
            entityType: e.entityType,
            entityId: e.entityId,
            before: e.before ?? null,
            after: e.after ?? null,
            ip: actor.ip,
          }),
      };
      return fn(tx);
    });
    for (const f of committed) f();
    return result;
  }
}
