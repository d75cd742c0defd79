/**
 * Drains the report outbox. Each round claims due deliveries in a transaction (a lease, so
 * a node that dies mid-send leaves them to be claimed again once the lease runs out), sends
 * them outside the transaction, and records the outcome:
 *
 *   queued ──claim──► sending ──ok──────────► sent
 *     ▲                  │ transient failure (backoff, Retry-After honoured)
 *     └──────────────────┘
 *                        └─ permanent failure, or attempts exhausted ──► failed
 *
 * The same delivery may be sent twice only if a node dies after the SMTP server accepted
 * the message and before the outcome was written; its Message-ID is unchanged, so the
 * receiver can tell the copies apart.
 */
import type { Logger } from 'pino';
import type { Delivery } from '../repositories/report-repository.ts';
import type { Store } from '../services/store.ts';
import type { Sender } from './sender.ts';

export interface DeliveryWorkerOptions {
  store: Store;
  senders: Partial<Record<string, Sender>>;
  log?: Logger;
  batchSize?: number;
  leaseMs?: number;
  maxAttempts?: number;
  /** Backoff for attempt n (1-based): base · 2^(n-1), capped. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  concurrency?: number;
  /** Told when a delivery fails for good (service-admin alert, fallback e-mail). */
  onFailedForGood?: (d: Delivery) => Promise<void>;
}

export class DeliveryWorker {
  readonly #o: Required<Omit<DeliveryWorkerOptions, 'log' | 'onFailedForGood'>> &
    Pick<DeliveryWorkerOptions, 'onFailedForGood'> & { log: Logger | undefined };
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  #closed = false;
  #again = false;
  #kick: (() => void) | undefined;

  constructor(opts: DeliveryWorkerOptions) {
    this.#o = {
      batchSize: 50,
      leaseMs: 120_000,
      maxAttempts: 8,
      backoffBaseMs: 30_000,
      backoffCapMs: 3_600_000,
      concurrency: 8,
      ...opts,
      log: opts.log,
    };
  }

  /** One round: claim, send, record. Returns how many deliveries it handled. */
  runOnce(): Promise<number> {
    this.#running ??= this.#round().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /**
   * On SQLite only one process can own the database, so deliveries still marked `sending`
   * at start-up belonged to a process that died mid-send: they go back to the queue at once
   * instead of waiting for their lease. (On PostgreSQL other nodes may be sending: leases run out.)
   */
  async recoverOnStart(): Promise<number> {
    const { store } = this.#o;
    if (store.dialect !== 'sqlite') return 0;
    const n = await store.transaction((r) =>
      r.reports.releaseAllLeases(store.clock.now().toISOString()),
    );
    if (n > 0)
      this.#o.log?.warn(
        { deliveries: n },
        'requeued report deliveries left in flight by a previous process',
      );
    return n;
  }

  /**
   * Polls every `intervalMs` (and at once); `wake()` starts a round at once, so a report
   * queued by a committed transaction goes out without waiting for the next poll.
   */
  start(intervalMs = 1000): void {
    let busy = false;
    const tick = async () => {
      if (this.#closed) return;
      if (busy) {
        this.#again = true;
        return;
      }
      busy = true;
      clearTimeout(this.#timer);
      try {
        do {
          this.#again = false;
          // Keep going while there is work.
          while (!this.#closed && (await this.runOnce()) > 0) {}
        } while (this.#again && !this.#closed);
      } catch (err) {
        this.#o.log?.error({ err }, 'report delivery round failed');
      }
      busy = false;
      if (!this.#closed) this.#timer = setTimeout(tick, intervalMs);
    };
    this.#kick = () => void tick();
    void tick();
  }

  /** Starts a round now (or right after the current one). */
  wake(): void {
    this.#kick?.();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#running?.catch(() => {});
    for (const s of Object.values(this.#o.senders)) await s?.close?.();
  }

  async #round(): Promise<number> {
    const { store } = this.#o;
    const channels = Object.keys(this.#o.senders);
    const now = store.clock.now();
    const claimed = await store.transaction((r) =>
      r.reports.claimDue(
        now.toISOString(),
        new Date(now.getTime() + this.#o.leaseMs).toISOString(),
        this.#o.batchSize,
        store.dialect,
      ),
    );
    // Deliveries for channels this node cannot send (no SMTP configured…) go back unchanged.
    const mine = claimed.filter((d) => channels.includes(d.channel));
    const others = claimed.filter((d) => !channels.includes(d.channel));
    for (const d of others) {
      await store.transaction((r) =>
        r.reports.markRetry(
          d.id,
          now.toISOString(),
          new Date(now.getTime() + this.#o.leaseMs).toISOString(),
          `no sender for ${d.channel} on this node`,
        ),
      );
    }
    let next = 0;
    const workers = Array.from({ length: Math.min(this.#o.concurrency, mine.length) }, async () => {
      while (next < mine.length) {
        const d = mine[next++]!;
        await this.#deliver(d);
      }
    });
    await Promise.all(workers);
    return mine.length;
  }

  async #deliver(d: Delivery): Promise<void> {
    const { store } = this.#o;
    const report = await store.read((r) => r.reports.getById(d.reportId));
    const at = () => store.clock.now().toISOString();
    if (!report) {
      await store.transaction((r) => r.reports.markFailed(d.id, at(), 'report missing'));
      return;
    }
    const result = await this.#o.senders[d.channel]!.send(d, report);
    if (result.ok) {
      await store.transaction((r) => r.reports.markSent(d.id, at()));
      this.#o.log?.info(
        { delivery: d.id, report: d.reportId, channel: d.channel },
        'report delivered',
      );
      return;
    }
    if (result.permanent || d.attempts >= this.#o.maxAttempts) {
      await store.transaction((r) => r.reports.markFailed(d.id, at(), result.error));
      await this.#o
        .onFailedForGood?.({ ...d, status: 'failed', lastError: result.error })
        .catch((err) => this.#o.log?.error({ err }, 'failure handling failed'));
      // A report that cannot be delivered needs a person: service admins see it in the log
      // and in the report's status.
      this.#o.log?.error(
        {
          delivery: d.id,
          report: d.reportId,
          tenant: d.tenantId,
          error: result.error,
          attempts: d.attempts,
        },
        'report delivery failed for good',
      );
      return;
    }
    const backoff = Math.min(this.#o.backoffBaseMs * 2 ** (d.attempts - 1), this.#o.backoffCapMs);
    const wait = Math.max(backoff, result.retryAfterMs ?? 0);
    const nextAt = new Date(store.clock.now().getTime() + wait).toISOString();
    await store.transaction((r) => r.reports.markRetry(d.id, at(), nextAt, result.error));
    this.#o.log?.warn(
      { delivery: d.id, attempts: d.attempts, retryInMs: wait, error: result.error },
      'report delivery will be retried',
    );
  }
}
