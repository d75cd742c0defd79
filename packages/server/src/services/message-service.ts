import { formatCallbackWindow } from '../domain/callback-window.ts';
import { normaliseJapanesePhone, normalisePhone } from '../domain/phone-number.ts';
import { normaliseInstant } from '../domain/validation.ts';
import { AppError } from '../errors.ts';
import { uuidv7 } from '../ids.ts';
import type { CallMessage } from '../repositories/message-repository.ts';
import type { ReportService } from './report-service.ts';
import type { Actor, Store } from './store.ts';
import { requireActiveTenant } from './tenant-guard.ts';

export interface MessageInput {
  callId?: string | null;
  numberId?: string | null;
  callerCompany?: string;
  callerName?: string;
  callerNumber?: string | null;
  callbackNumber?: string | null;
  callbackWindowStart?: string | null;
  callbackWindowEnd?: string | null;
  purpose: string;
  namedStaffId?: string | null;
  urgent?: boolean;
  complaint?: boolean;
  notes?: string;
}

/**
 * Messages taken by operators (受電メモ). Saving one writes the message and its call report
 * (with the deliveries) in one transaction: a saved message always reaches the client.
 */
export class MessageService {
  readonly #store: Store;
  readonly #reports: ReportService;
  constructor(store: Store, reports: ReportService) {
    this.#store = store;
    this.#reports = reports;
  }

  list(tenantId: string, limit: number, before?: string): Promise<CallMessage[]> {
    return this.#store.read((r) => r.messages.list(tenantId, limit, before));
  }

  async get(tenantId: string, id: string): Promise<CallMessage> {
    const m = await this.#store.read((r) => r.messages.get(tenantId, id));
    if (!m) throw new AppError('message.not_found', `no message ${id}`);
    return m;
  }

  create(
    actor: Actor,
    tenantId: string,
    input: MessageInput,
  ): Promise<CallMessage & { reportId: string }> {
    const callbackNumber = input.callbackNumber
      ? normaliseJapanesePhone(input.callbackNumber, 'callbackNumber')
      : null;
    const callerNumber = input.callerNumber
      ? normalisePhone(input.callerNumber, 'callerNumber')
      : null;
    const start = input.callbackWindowStart
      ? normaliseInstant(input.callbackWindowStart, 'callbackWindowStart')
      : null;
    const end = input.callbackWindowEnd
      ? normaliseInstant(input.callbackWindowEnd, 'callbackWindowEnd')
      : null;
    if ((start === null) !== (end === null))
      throw new AppError('callback.invalid', 'give both ends of the callback window, or neither');
    if (start && end && end <= start)
      throw new AppError('validation.date_range', 'the callback window must end after it starts');
    return this.#store.write(actor, async (tx) => {
      const tenant = await requireActiveTenant(tx, tenantId);
      // Only staff on the client's roster can be named (and so receive the report).
      if (input.namedStaffId && !(await tx.repos.staff.get(tenantId, input.namedStaffId))) {
        throw new AppError(
          'staff.not_found',
          `no staff member ${input.namedStaffId} on this client's roster`,
        );
      }
      const number = input.numberId ? await tx.repos.numbers.get(input.numberId) : undefined;
      if (input.numberId && (!number || number.tenantId !== tenantId))
        throw new AppError('number.not_found', `no number ${input.numberId}`);
      const m: CallMessage = {
        id: uuidv7(tx.nowDate.getTime()),
        tenantId,
        callId: input.callId ?? null,
        numberId: number?.id ?? null,
        callerCompany: input.callerCompany?.trim() ?? '',
        callerName: input.callerName?.trim() ?? '',
        callerNumber,
        callbackNumber,
        callbackWindowStart: start,
        callbackWindowEnd: end,
        purpose: input.purpose.trim(),
        namedStaffId: input.namedStaffId ?? null,
        urgent: input.urgent ?? false,
        complaint: input.complaint ?? false,
        notes: input.notes ?? '',
        operatorAlias: tenant.operatorAlias,
        takenBy: actor.label,
        createdAt: tx.now,
      };
      await tx.repos.messages.insert(m);
      const named = m.namedStaffId ? await tx.repos.staff.get(tenantId, m.namedStaffId) : undefined;
      const report = await this.#reports.enqueue(tx, {
        tenant,
        source: 'message',
        sourceId: m.id,
        callId: m.callId,
        namedStaffId: m.namedStaffId,
        content: {
          kind: 'message',
          dialed: number?.e164 ?? '',
          numberPurpose: number?.purpose ?? '',
          at: tx.now,
          caller: callerNumber,
          ...(m.callerCompany ? { callerCompany: m.callerCompany } : {}),
          ...(m.callerName ? { callerName: m.callerName } : {}),
          ...(callbackNumber ? { callbackNumber } : {}),
          ...(start && end ? { callbackWindow: formatCallbackWindow(start, end) } : {}),
          purpose: m.purpose,
          ...(named ? { namedEmployee: named.name } : {}),
          ...(named?.chatIds.chatwork ? { namedChatworkAccount: named.chatIds.chatwork } : {}),
          ...(m.urgent ? { urgent: true } : {}),
          ...(m.notes ? { notes: m.notes } : {}),
          ...(m.operatorAlias ? { operatorAlias: m.operatorAlias } : {}),
        },
      });
      await tx.audit({
        action: 'message.create',
        entityType: 'message',
        entityId: m.id,
        tenantId,
        after: m,
      });
      return { ...m, reportId: report.id };
    });
  }
}
