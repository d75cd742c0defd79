import type { CallFlow } from '../domain/call-flow/validate-flow.ts';
import type { Executor } from './executor.ts';

export interface CallFlowRecord {
  id: string;
  tenantId: string;
  name: string;
  currentVersion: number;
  createdAt: string;
  updatedAt: string;
}

export interface CallFlowVersion {
  flowId: string;
  version: number;
  definition: CallFlow;
  createdAt: string;
  createdBy: string;
}

/** Flows are versioned: a save adds a version; old versions stay for CDRs and rollback. */
export class CallFlowRepository {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async list(tenantId: string): Promise<CallFlowRecord[]> {
    const rows = await this.#db
      .selectFrom('call_flows')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('name')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      name: r.name,
      currentVersion: r.current_version,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

  async get(id: string): Promise<CallFlowRecord | undefined> {
    const r = await this.#db
      .selectFrom('call_flows')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return (
      r && {
        id: r.id,
        tenantId: r.tenant_id,
        name: r.name,
        currentVersion: r.current_version,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
      }
    );
  }

  async insert(f: CallFlowRecord): Promise<void> {
    await this.#db
      .insertInto('call_flows')
      .values({
        id: f.id,
        tenant_id: f.tenantId,
        name: f.name,
        current_version: f.currentVersion,
        created_at: f.createdAt,
        updated_at: f.updatedAt,
      })
      .execute();
  }

  async update(f: CallFlowRecord): Promise<void> {
    await this.#db
      .updateTable('call_flows')
      .set({ name: f.name, current_version: f.currentVersion, updated_at: f.updatedAt })
      .where('id', '=', f.id)
      .execute();
  }

  async insertVersion(v: CallFlowVersion): Promise<void> {
    await this.#db
      .insertInto('call_flow_versions')
      .values({
        flow_id: v.flowId,
        version: v.version,
        definition: JSON.stringify(v.definition),
        created_at: v.createdAt,
        created_by: v.createdBy,
      })
      .execute();
  }

  async getVersion(flowId: string, version: number): Promise<CallFlowVersion | undefined> {
    const r = await this.#db
      .selectFrom('call_flow_versions')
      .selectAll()
      .where('flow_id', '=', flowId)
      .where('version', '=', version)
      .executeTakeFirst();
    return (
      r && {
        flowId: r.flow_id,
        version: r.version,
        definition: JSON.parse(r.definition) as CallFlow,
        createdAt: r.created_at,
        createdBy: r.created_by,
      }
    );
  }

  async listVersions(flowId: string): Promise<Omit<CallFlowVersion, 'definition'>[]> {
    const rows = await this.#db
      .selectFrom('call_flow_versions')
      .select(['flow_id', 'version', 'created_at', 'created_by'])
      .where('flow_id', '=', flowId)
      .orderBy('version', 'desc')
      .execute();
    return rows.map((r) => ({
      flowId: r.flow_id,
      version: r.version,
      createdAt: r.created_at,
      createdBy: r.created_by,
    }));
  }
}
