import { AppError } from '../errors.ts';
import type { Tenant } from '../repositories/tenant-repository.ts';
import type { Tx } from './store.ts';

/** For changes to a tenant's children: the tenant must exist and not be cancelled. */
export async function requireActiveTenant(tx: Tx, tenantId: string): Promise<Tenant> {
  const t = await tx.repos.tenants.get(tenantId);
  if (!t) throw new AppError('tenant.not_found', `no client company ${tenantId}`);
  if (t.state === 'cancelled')
    throw new AppError('tenant.cancelled', 'a cancelled client company cannot change');
  return t;
}
