import { defaultFlow } from '../domain/call-flow/default-flows.ts';
import { type CallFlow, validateFlow } from '../domain/call-flow/validate-flow.ts';
import { AppError } from '../errors.ts';
import { uuidv7 } from '../ids.ts';
import type { CallFlowRecord, CallFlowVersion } from '../repositories/call-flow-repository.ts';
import type { PhoneNumberRecord } from '../repositories/phone-number-repository.ts';
import type { Actor, Store } from './store.ts';
import { requireActiveTenant } from './tenant-guard.ts';

export interface CallFlowView extends CallFlowRecord {
  definition: CallFlow;
}

/** Call flows per tenant, versioned: each save is a new version, validated at save time. */
export class CallFlowService {
  readonly #store: Store;
  constructor(store: Store) {
    this.#store = store;
  }

  list(tenantId: string): Promise<CallFlowRecord[]> {
    return this.#store.read((r) => r.flows.list(tenantId));
  }

  async get(tenantId: string, id: string): Promise<CallFlowView> {
    return this.#store.read(async (r) => {
      const f = await r.flows.get(id);
      if (!f || f.tenantId !== tenantId) throw new AppError('flow.not_found', `no call flow ${id}`);
      const v = await r.flows.getVersion(id, f.currentVersion);
      return { ...f, definition: v!.definition };
    });
  }

  async versions(tenantId: string, id: string): Promise<Omit<CallFlowVersion, 'definition'>[]> {
    await this.get(tenantId, id);
    return this.#store.read((r) => r.flows.listVersions(id));
  }

  async version(tenantId: string, id: string, version: number): Promise<CallFlowVersion> {
    await this.get(tenantId, id);
    const v = await this.#store.read((r) => r.flows.getVersion(id, version));
    if (!v) throw new AppError('flow.not_found', `call flow ${id} has no version ${version}`);
    return v;
  }

  create(actor: Actor, tenantId: string, name: string, definition: unknown): Promise<CallFlowView> {
    const flow = validateFlow(definition);
    return this.#store.write(actor, async (tx) => {
      await requireActiveTenant(tx, tenantId);
      const f: CallFlowRecord = {
        id: uuidv7(tx.nowDate.getTime()),
        tenantId,
        name: name.trim(),
        currentVersion: 1,
        createdAt: tx.now,
        updatedAt: tx.now,
      };
      await tx.repos.flows.insert(f);
      await tx.repos.flows.insertVersion({
        flowId: f.id,
        version: 1,
        definition: flow,
        createdAt: tx.now,
        createdBy: actor.label,
      });
      await tx.audit({
        action: 'flow.create',
        entityType: 'call_flow',
        entityId: f.id,
        tenantId,
        after: { ...f, definition: flow },
      });
      return { ...f, definition: flow };
    });
  }

  /** Saves a new version (and optionally a new name); numbers using the flow run it next call. */
  update(
    actor: Actor,
    tenantId: string,
    id: string,
    change: { name?: string; definition?: unknown },
  ): Promise<CallFlowView> {
    const flow = change.definition === undefined ? undefined : validateFlow(change.definition);
    return this.#store.write(actor, async (tx) => {
      await requireActiveTenant(tx, tenantId);
      const before = await tx.repos.flows.get(id);
      if (!before || before.tenantId !== tenantId)
        throw new AppError('flow.not_found', `no call flow ${id}`);
      const after: CallFlowRecord = {
        ...before,
        name: change.name?.trim() ?? before.name,
        updatedAt: tx.now,
      };
      let definition = (await tx.repos.flows.getVersion(id, before.currentVersion))!.definition;
      if (flow) {
        after.currentVersion = before.currentVersion + 1;
        definition = flow;
        await tx.repos.flows.insertVersion({
          flowId: id,
          version: after.currentVersion,
          definition: flow,
          createdAt: tx.now,
          createdBy: actor.label,
        });
      }
      await tx.repos.flows.update(after);
      await tx.audit({
        action: 'flow.update',
        entityType: 'call_flow',
        entityId: id,
        tenantId,
        before,
        after: { ...after, definition },
      });
      return { ...after, definition };
    });
  }

  /** What a call to this number runs: its attached flow's current version, or the default. */
  async forNumber(
    n: PhoneNumberRecord,
  ): Promise<{ flow: CallFlow; flowId: string | null; version: number | null }> {
    if (n.flowId) {
      const f = await this.#store.read((r) => r.flows.get(n.flowId!));
      if (f) {
        const v = await this.#store.read((r) => r.flows.getVersion(f.id, f.currentVersion));
        if (v) return { flow: v.definition, flowId: f.id, version: v.version };
      }
    }
    return {
      flow: defaultFlow(n.usageMode ?? 'display', n.selfAnswer),
      flowId: null,
      version: null,
    };
  }
}
