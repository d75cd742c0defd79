import type { AuditEntry } from '../repositories/audit-repository.ts';
import type { Store } from './store.ts';

export class AuditService {
  readonly #store: Store;
  constructor(store: Store) {
    this.#store = store;
  }

  list(filter: {
    tenantId?: string;
    entityId?: string;
    before?: string;
    limit: number;
  }): Promise<AuditEntry[]> {
    return this.#store.read((r) => r.audit.list(filter));
  }
}
