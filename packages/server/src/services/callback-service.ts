import { formatCallbackWindow } from '../domain/callback-window.ts';
import { normaliseJapanesePhone } from '../domain/phone-number.ts';
import { normaliseInstant } from '../domain/validation.ts';
import { AppError } from '../errors.ts';
import { uuidv7 } from '../ids.ts';
import type {
  CallbackSource,
  CallbackStatus,
  CallbackTask,
} from '../repositories/callback-repository.ts';
import type { ReportService } from './report-service.ts';
import type { Actor, Store } from './store.ts';
import { requireActiveTenant } from './tenant-guard.ts';

export interface CallbackInput {
  callbackNumber: string;
  windowStart?: string | null;
  windowEnd?: string | null;
  reason?: string;
  source?: CallbackSource;
  callId?: string | null;
  note?: string;
  /** The call it came from; when given, the client gets a call report. */
  call?: { dialed: string; numberPurpose: string; caller: string | null; at: string };
}

/** Callback tasks: captured by the IVR, left by missed/abandoned calls, or promised by operators. */
export class CallbackService {
  readonly #store: Store;
  readonly #reports: ReportService;
  constructor(store: Store, reports: ReportService) {
    this.#store = store;
    this.#reports = reports;
  }

  list(tenantId: string, status?: CallbackStatus): Promise<CallbackTask[]> {
    return this.#store.read((r) => r.callbacks.list(tenantId, status));
  }

  async get(tenantId: string, id: string): Promise<CallbackTask> {
    const t = await this.#store.read((r) => r.callbacks.get(tenantId, id));
    if (!t) throw new AppError('callback.not_found', `no callback task ${id}`);
    return t;
  }

  create(actor: Actor, tenantId: string, input: CallbackInput): Promise<CallbackTask> {
    // The number must be one we can dial back: a valid Japanese number.
    const callbackNumber = normaliseJapanesePhone(input.callbackNumber, 'callbackNumber');
    const windowStart = input.windowStart
      ? normaliseInstant(input.windowStart, 'windowStart')
      : null;
    const windowEnd = input.windowEnd ? normaliseInstant(input.windowEnd, 'windowEnd') : null;
    if ((windowStart === null) !== (windowEnd === null))
      throw new AppError('callback.invalid', 'give both ends of the window, or neither');
    if (windowStart && windowEnd && windowEnd <= windowStart)
      throw new AppError('validation.date_range', 'the window must end after it starts');
    return this.#store.write(actor, async (tx) => {
      const tenant = await requireActiveTenant(tx, tenantId);
      const t: CallbackTask = {
        id: uuidv7(tx.nowDate.getTime()),
        tenantId,
        callId: input.callId ?? null,
        callbackNumber,
        windowStart,
        windowEnd,
        reason: input.reason ?? '',
        source: input.source ?? 'manual',
        status: 'open',
        note: input.note ?? '',
        createdAt: tx.now,
        updatedAt: tx.now,
      };
      await tx.repos.callbacks.insert(t);
      await tx.audit({
        action: 'callback.create',
        entityType: 'callback',
        entityId: t.id,
        tenantId,
        after: t,
      });
      if (input.call) {
        // Same transaction: the task and the report that tells the client about it stand or fall together.
        await this.#reports.enqueue(tx, {
          tenant,
          source: t.source === 'ivr' ? 'callback' : 'missed',
          sourceId: t.id,
          callId: t.callId,
          content: {
            kind: t.source === 'ivr' ? 'callback' : 'missed',
            dialed: input.call.dialed,
            numberPurpose: input.call.numberPurpose,
            at: input.call.at,
            caller: input.call.caller,
            callbackNumber: t.callbackNumber,
            ...(t.windowStart && t.windowEnd
              ? { callbackWindow: formatCallbackWindow(t.windowStart, t.windowEnd) }
              : {}),
            purpose: t.reason,
          },
        });
      }
      return t;
    });
  }

  update(
    actor: Actor,
    tenantId: string,
    id: string,
    patch: { status?: CallbackStatus; note?: string },
  ): Promise<CallbackTask> {
    return this.#store.write(actor, async (tx) => {
      const before = await tx.repos.callbacks.get(tenantId, id);
      if (!before) throw new AppError('callback.not_found', `no callback task ${id}`);
      const after: CallbackTask = {
        ...before,
        status: patch.status ?? before.status,
        note: patch.note ?? before.note,
        updatedAt: tx.now,
      };
      await tx.repos.callbacks.update(after);
      await tx.audit({
        action: 'callback.update',
        entityType: 'callback',
        entityId: id,
        tenantId,
        before,
        after,
      });
      return after;
    });
  }
}
