import { AppError } from '../errors.ts';
import type { CallRecord } from '../repositories/call-record-repository.ts';
import type { Store } from './store.ts';

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

  async get(id: string, tenantId?: string): Promise<CallRecord> {
    const c = await this.#store.read((r) => r.calls.get(id));
    if (!c || (tenantId !== undefined && c.tenantId !== tenantId))
      throw new AppError('call.not_found', `no call ${id}`);
    return c;
  }
}
