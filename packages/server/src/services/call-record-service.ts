import { AppError } from '../errors.ts';
import type {
  CallLeg,
  CallRecord,
  HandlingStatus,
} from '../repositories/call-record-repository.ts';
import type { Actor, Store } from './store.ts';

/** Reads of call detail records; the call layer writes them. */
export class CallRecordService {
  readonly #store: Store;
  constructor(store: Store) {
    this.#store = store;
  }

  list(filter: {
    tenantId?: string;
    from?: string;
    to?: string;
    disposition?: string;
    before?: string;
    limit: number;
  }): Promise<CallRecord[]> {
    return this.#store.read((r) => r.calls.list(filter));
  }

  async setHandlingStatus(
    actor: Actor,
    tenantId: string,
    id: string,
    status: HandlingStatus,
  ): Promise<CallRecord> {
    return this.#store.write(actor, async (tx) => {
      const c = await tx.repos.calls.get(id);
      if (!c || c.tenantId !== tenantId) throw new AppError('call.not_found', `no call ${id}`);
      await tx.repos.calls.setHandlingStatus(id, status);
      await tx.audit({
        action: 'call.handling_status',
        entityType: 'call',
        entityId: id,
        tenantId,
        before: { handlingStatus: c.handlingStatus },
        after: { handlingStatus: status },
      });
      return { ...c, handlingStatus: status };
    });
  }

  async get(id: string, tenantId?: string): Promise<CallRecord> {
    const c = await this.#store.read((r) => r.calls.get(id));
    if (!c || (tenantId !== undefined && c.tenantId !== tenantId))
      throw new AppError('call.not_found', `no call ${id}`);
    return c;
  }

  /** The call's legs (inbound, and each forward or dial-out attempt). */
  async legs(id: string, tenantId?: string): Promise<CallLeg[]> {
    await this.get(id, tenantId);
    return this.#store.read((r) => r.calls.legs(id));
  }
}
