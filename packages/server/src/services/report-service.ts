/**
 * Call reports: created inside the transaction of whatever caused them (a callback task,
 * a message, a voicemail), with one delivery row per recipient — the outbox the delivery
 * worker drains. Exactly one channel per client, as its settings say.
 */
import { AppError } from '../errors.ts';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { uuidv7 } from '../ids.ts';
import type { Delivery, DeliveryPurpose, Report } from '../repositories/report-repository.ts';
import type { Tenant } from '../repositories/tenant-repository.ts';
import { emailRecipients } from '../reports/recipients.ts';
import type { ReportContent, ReportKind } from '../reports/report-content.ts';
import { type Actor, type Store, systemActor, type Tx } from './store.ts';

export type ReportStatus = 'queued' | 'sent' | 'failed' | 'acknowledged' | 'not_sent';

export interface ReportView extends Report {
  status: ReportStatus;
  deliveries: Delivery[];
}

export function reportStatus(r: Report, all: Delivery[]): ReportStatus {
  if (r.acknowledgedAt) return 'acknowledged';
  // Alerts to service admins say nothing about whether the client was told.
  const deliveries = all.filter((d) => d.purpose === 'report');
  if (deliveries.length === 0) return 'not_sent';
  if (deliveries.every((d) => d.status === 'sent')) return 'sent';
  const pending = deliveries.some((d) => d.status === 'queued' || d.status === 'sending');
  if (deliveries.some((d) => d.status === 'failed') && !pending) {
    // The chat channel failed but the fallback e-mail went out: the client was told.
    return all.some((d) => d.purpose === 'fallback' && d.status === 'sent') ? 'sent' : 'failed';
  }
  return 'queued';
}

export interface ReportInput {
  tenant: Tenant;
  source: ReportKind;
  sourceId: string;
  callId: string | null;
  content: Omit<ReportContent, 'tenantName' | 'link'>;
  namedStaffId?: string | null;
}

/** How many recipients a tenant may have: the plan's included ones plus purchased extras. */
export async function recipientLimit(tx: { repos: Tx['repos'] }, tenant: Tenant): Promise<number> {
  const plan = await tx.repos.plans.get(tenant.planCode);
  const extra =
    (await tx.repos.tenants.listOptions(tenant.id)).find((o) => o.code === 'extra_report_recipient')
      ?.quantity ?? 0;
  return (plan?.reportRecipientsIncluded ?? 3) + extra;
}

export class ReportService {
  readonly #store: Store;
  readonly #publicUrl: string;
  readonly #mailDomain: string;
  readonly #listeners = new Set<() => void>();

  constructor(store: Store, opts: { publicUrl: string }) {
    this.#store = store;
    this.#publicUrl = opts.publicUrl.replace(/\/$/, '');
    this.#mailDomain = new URL(this.#publicUrl).hostname || 'uketsuke.localhost';
  }

  #webhookSecret: ((tenantId: string) => string) | undefined;
  #ackKey: string | undefined;

  /** The key that signs acknowledgement links (derived from the server secret). */
  useAckKey(key: string): void {
    this.#ackKey = key;
  }

  /** `<reportId>.<HMAC>`: whoever holds the link may mark that one report handled, nothing else. */
  ackToken(reportId: string): string {
    if (!this.#ackKey) throw new Error('acknowledgement links are not configured');
    return `${reportId}.${createHmac('sha256', this.#ackKey).update(`ack:${reportId}`).digest('base64url')}`;
  }

  /** The report id a token names, or undefined when the signature does not match. */
  reportIdFromAckToken(token: string): string | undefined {
    const [id, mac] = token.split('.');
    if (!id || !mac || !this.#ackKey) return undefined;
    const expected = Buffer.from(this.ackToken(id).split('.')[1]!);
    const given = Buffer.from(mac);
    return expected.length === given.length && timingSafeEqual(expected, given) ? id : undefined;
  }

  /** Acknowledgement through a signed link (no login: the link is the credential). */
  async acknowledgeByToken(token: string, ip: string | null): Promise<ReportView | undefined> {
    const id = this.reportIdFromAckToken(token);
    const report = id ? await this.#store.read((r) => r.reports.getById(id)) : undefined;
    if (!report) return undefined;
    const actor: Actor = {
      userId: null,
      label: 'e-mail link',
      via: 'system',
      role: 'system',
      tenantId: report.tenantId,
      ip,
    };
    return this.acknowledge(actor, report.tenantId, report.id);
  }

  /**
   * A delivery failed for good: every active service admin is told by e-mail (an `alert`
   * delivery), and when the client's chat channel has a fallback address, the report goes
   * there by e-mail too (`fallback`). Alerts about alerts are not sent (no loops).
   */
  async handleFailure(failed: Delivery): Promise<void> {
    if (failed.purpose === 'alert') return;
    await this.#store.write(systemActor, async (tx) => {
      const report = await tx.repos.reports.getById(failed.reportId);
      if (!report) return;
      const tenant = await tx.repos.tenants.get(report.tenantId);
      const admins = (await tx.repos.users.list({ roles: ['service_admin'] })).filter(
        (u) => !u.disabled,
      );
      const targets: { purpose: DeliveryPurpose; to: string }[] = admins.map((a) => ({
        purpose: 'alert',
        to: a.email,
      }));
      const ch = tenant?.reportChannel;
      if (failed.purpose !== 'fallback' && ch && 'fallbackEmail' in ch && ch.fallbackEmail)
        targets.push({ purpose: 'fallback', to: ch.fallbackEmail });
      const existing = await tx.repos.reports.deliveries([report.id]);
      for (const t of targets) {
        if (existing.some((d) => d.channel === 'email' && d.recipient === t.to)) continue;
        await this.#queueDelivery(
          tx,
          {
            purpose: t.purpose,
            reportId: report.id,
            tenantId: report.tenantId,
            channel: 'email',
            recipient: t.to,
          },
          t.purpose === 'alert'
            ? `${failed.channel} to ${failed.recipient}: ${failed.lastError ?? ''}`
            : null,
        );
      }
      await tx.audit({
        action: 'report.delivery_failed',
        entityType: 'report',
        entityId: report.id,
        tenantId: report.tenantId,
        after: { delivery: failed.id, channel: failed.channel, error: failed.lastError },
      });
      tx.afterCommit(() => {
        for (const f of this.#listeners) f();
      });
    });
  }

  /**
   * Urgent reports nobody acknowledged in time go to the next person on the roster (by
   * e-mail, whatever the usual channel) or to the emergency contact, once. Returns how many
   * were escalated.
   */
  async escalateDue(): Promise<number> {
    const now = this.#store.clock.now();
    const tenants = await this.#store.read(async (r) =>
      (await r.tenants.list({ limit: 10_000, offset: 0 })).items.filter(
        (t) => t.urgentEscalation && t.state !== 'cancelled',
      ),
    );
    let n = 0;
    for (const t of tenants) {
      const rule = t.urgentEscalation!;
      const due = await this.#store.read((r) =>
        r.reports.dueForEscalation(
          t.id,
          new Date(now.getTime() - rule.afterMinutes * 60_000).toISOString(),
        ),
      );
      for (const report of due) {
        await this.#store.write(systemActor, async (tx) => {
          const already = new Set(
            (await tx.repos.reports.deliveries([report.id])).map((d) => d.recipient.toLowerCase()),
          );
          let to: string | undefined;
          if (rule.target === 'emergency_contact') {
            to = t.emergencyContact?.email ?? undefined;
          } else {
            const roster = await tx.repos.staff.list(t.id);
            to =
              roster.find((s) => s.reportTarget && s.email && !already.has(s.email.toLowerCase()))
                ?.email ?? undefined;
          }
          await tx.repos.reports.markEscalated(report.id, tx.now);
          if (to && !already.has(to.toLowerCase())) {
            await this.#queueDelivery(tx, {
              purpose: 'escalation',
              reportId: report.id,
              tenantId: t.id,
              channel: 'email',
              recipient: to,
            });
            tx.afterCommit(() => {
              for (const f of this.#listeners) f();
            });
          }
          await tx.audit({
            action: 'report.escalate',
            entityType: 'report',
            entityId: report.id,
            tenantId: t.id,
            after: { to: to ?? null, target: rule.target },
          });
        });
        n++;
      }
    }
    return n;
  }

  /** Where per-tenant webhook signing secrets come from (derived from the server secret). */
  useWebhookSecrets(fn: (tenantId: string) => string): void {
    this.#webhookSecret = fn;
  }

  webhookSecret(tenantId: string): string {
    if (!this.#webhookSecret) throw new Error('webhook secrets are not configured');
    return this.#webhookSecret(tenantId);
  }

  /** Called after a transaction that queued deliveries commits (the worker wakes up). */
  onQueued(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** The portal link format, fixed now so reports sent today keep working later. */
  callLink(tenantId: string, callId: string | null, reportId: string): string {
    return callId
      ? `${this.#publicUrl}/portal/${tenantId}/calls/${callId}`
      : `${this.#publicUrl}/portal/${tenantId}/reports/${reportId}`;
  }

  /** Message-ID of one delivery: stable across retries, so the receiver can deduplicate. */
  messageId(deliveryId: string): string {
    return `<${deliveryId}.report@${this.#mailDomain}>`;
  }

  /** A thread per caller: every report about the same caller references this id. */
  threadId(tenantId: string, caller: string | null): string | undefined {
    return caller
      ? `<caller.${tenantId}.${caller.replace(/\D/g, '')}@${this.#mailDomain}>`
      : undefined;
  }

  /** One outbox row: queued now, its Message-ID fixed for every retry. */
  async #queueDelivery(
    tx: Tx,
    d: {
      purpose: DeliveryPurpose;
      reportId: string;
      tenantId: string;
      channel: string;
      recipient: string;
    },
    lastError: string | null = null,
  ): Promise<void> {
    const id = uuidv7(tx.nowDate.getTime());
    await tx.repos.reports.insertDelivery({
      ...d,
      id,
      messageId: this.messageId(id),
      status: 'queued',
      attempts: 0,
      nextAttemptAt: tx.now,
      leaseUntil: null,
      lastError,
      sentAt: null,
      createdAt: tx.now,
      updatedAt: tx.now,
    });
  }

  /** Creates the report and its deliveries in the caller's transaction. */
  async enqueue(tx: Tx, input: ReportInput): Promise<Report> {
    const t = input.tenant;
    const id = uuidv7(tx.nowDate.getTime());
    const channel = t.reportChannel;
    const content: ReportContent = {
      ...input.content,
      tenantName: t.name,
      link: this.callLink(t.id, input.callId, id),
      ...(t.reportWording ? { wording: t.reportWording } : {}),
    };
    let recipients: string[] = [];
    let isPrivate = false;
    if (channel.kind === 'email') {
      const decision = emailRecipients(
        channel,
        await tx.repos.staff.list(t.id),
        input.namedStaffId ?? null,
        await recipientLimit(tx, t),
      );
      recipients = decision.recipients;
      isPrivate = decision.private;
    } else if (channel.kind === 'chatwork') {
      recipients = [channel.roomId];
    } else if (channel.kind !== 'none') {
      recipients = [channel.kind === 'webhook' ? channel.url : channel.webhookUrl];
    }
    const report: Report = {
      id,
      tenantId: t.id,
      callId: input.callId,
      source: input.source,
      sourceId: input.sourceId,
      channel: channel.kind,
      content,
      namedStaffId: input.namedStaffId ?? null,
      private: isPrivate,
      createdAt: tx.now,
      acknowledgedAt: null,
      acknowledgedBy: null,
      urgent: content.urgent ?? false,
      escalatedAt: null,
    };
    if (this.#ackKey) content.ackLink = `${this.#publicUrl}/r/ack/${this.ackToken(id)}`;
    await tx.repos.reports.insert(report);
    for (const recipient of recipients) {
      await this.#queueDelivery(tx, {
        purpose: 'report',
        reportId: id,
        tenantId: t.id,
        channel: channel.kind,
        recipient,
      });
    }
    if (recipients.length > 0) {
      tx.afterCommit(() => {
        for (const f of this.#listeners) f();
      });
    }
    return report;
  }

  async list(tenantId: string, limit: number, before?: string): Promise<ReportView[]> {
    return this.#store.read(async (r) => {
      const reports = await r.reports.list(tenantId, limit, before);
      const deliveries = await r.reports.deliveries(reports.map((x) => x.id));
      return reports.map((x) => {
        const own = deliveries.filter((d) => d.reportId === x.id);
        return { ...x, deliveries: own, status: reportStatus(x, own) };
      });
    });
  }

  async get(tenantId: string, id: string): Promise<ReportView> {
    return this.#store.read(async (r) => {
      const report = await r.reports.get(tenantId, id);
      if (!report) throw new AppError('report.not_found', `no report ${id}`);
      const deliveries = await r.reports.deliveries([id]);
      return { ...report, deliveries, status: reportStatus(report, deliveries) };
    });
  }

  /** The client has handled it (対応済): escalation stops. */
  acknowledge(actor: Actor, tenantId: string, id: string): Promise<ReportView> {
    return this.#store.write(actor, async (tx) => {
      const report = await tx.repos.reports.get(tenantId, id);
      if (!report) throw new AppError('report.not_found', `no report ${id}`);
      await tx.repos.reports.acknowledge(id, tx.now, actor.label);
      // The call behind it is now 対応済 for everyone looking at the client's history.
      if (report.callId) await tx.repos.calls.setHandlingStatus(report.callId, 'done');
      await tx.audit({
        action: 'report.acknowledge',
        entityType: 'report',
        entityId: id,
        tenantId,
      });
      const after = (await tx.repos.reports.get(tenantId, id))!;
      const deliveries = await tx.repos.reports.deliveries([id]);
      return { ...after, deliveries, status: reportStatus(after, deliveries) };
    });
  }
}
