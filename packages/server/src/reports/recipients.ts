/**
 * Who receives an e-mail report (PRODUCT.md "Call reports"):
 *   - fixed mode: the client's own list of addresses;
 *   - named mode: the named employee, if on the roster with an address and allowed to
 *     receive reports; otherwise the responsible person (top of the roster with an address
 *     who may receive reports). A report naming someone stays private to them.
 * At most the plan's included recipients plus purchased extras are used.
 */
import type { ReportChannel } from '../domain/report-channel.ts';
import type { Staff } from '../repositories/staff-repository.ts';

export interface RecipientDecision {
  recipients: string[];
  /** True when only the named person receives it. */
  private: boolean;
  /** Recipients left out by the limit (refused at configuration time; kept here as a guard). */
  overLimit: string[];
}

export function emailRecipients(
  channel: Extract<ReportChannel, { kind: 'email' }>,
  roster: Staff[],
  namedStaffId: string | null,
  limit: number,
): RecipientDecision {
  const eligible = (s: Staff | undefined): s is Staff & { email: string } =>
    !!s && s.reportTarget && !!s.email;
  if (channel.mode === 'fixed') {
    return {
      recipients: channel.fixedRecipients.slice(0, limit),
      private: false,
      overLimit: channel.fixedRecipients.slice(limit),
    };
  }
  const named = roster.find((s) => s.id === namedStaffId);
  if (eligible(named)) return { recipients: [named.email], private: true, overLimit: [] };
  const responsible = [...roster].sort((a, b) => a.position - b.position).find(eligible);
  return { recipients: responsible ? [responsible.email] : [], private: false, overLimit: [] };
}
