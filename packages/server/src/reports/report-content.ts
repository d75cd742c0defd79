/**
 * What a call report says, independent of the channel: the fields of PRODUCT.md
 * "Call reports", each already in the form a person reads (Japanese first).
 */
import { formatCallbackWindow } from '../domain/callback-window.ts';
import { formatNational } from '../domain/phone-number.ts';

export const reportKinds = ['callback', 'message', 'voicemail', 'missed'] as const;
export type ReportKind = (typeof reportKinds)[number];

export interface ReportContent {
  kind: ReportKind;
  tenantName: string;
  /** The number the caller dialled, and what it is for. */
  dialed: string;
  numberPurpose: string;
  /** When the call came in (ISO) and as written: 11月21日(土) 10:05 */
  at: string;
  caller: string | null;
  callerCompany?: string;
  callerName?: string;
  callbackNumber?: string;
  /** 11月22日(日) 10時~11時 */
  callbackWindow?: string;
  purpose?: string;
  namedEmployee?: string;
  /** The named employee's Chatwork account id, for a [To:…] mention. */
  namedChatworkAccount?: string;
  urgent?: boolean;
  notes?: string;
  operatorAlias?: string;
  /** A voicemail's recording (the portal link plays it). */
  recording?: string;
  /** The call in the client portal. */
  link: string;
  /** Marks the report handled without logging in (a signed link). */
  ackLink?: string;
  /** The client's wording, captured when the report was made (retries read the same). */
  wording?: { intro?: string; closing?: string; subjectPrefix?: string };
}

const kindLabel: Record<ReportKind, string> = {
  callback: '折り返し依頼 (callback request)',
  message: '伝言 (message)',
  voicemail: '留守番電話 (voicemail)',
  missed: '不在着信 (missed call)',
};

const weekday = ['日', '月', '火', '水', '木', '金', '土'] as const;

export function japanDateTime(iso: string): string {
  const j = new Date(new Date(iso).getTime() + 9 * 3600_000);
  const hh = String(j.getUTCHours()).padStart(2, '0');
  const mm = String(j.getUTCMinutes()).padStart(2, '0');
  return `${j.getUTCMonth() + 1}月${j.getUTCDate()}日(${weekday[j.getUTCDay()]}) ${hh}:${mm}`;
}

export function callbackWindowText(start: string | null, end: string | null): string | undefined {
  return start && end ? formatCallbackWindow(start, end) : undefined;
}

/** The report's lines as label/value pairs, in the order a client reads them. */
export function reportLines(c: ReportContent): [string, string][] {
  const lines: [string, string][] = [
    ['種別', kindLabel[c.kind]],
    ['受電日時', japanDateTime(c.at)],
  ];
  if (c.dialed)
    lines.push([
      '着信番号',
      `${formatNational(c.dialed)}${c.numberPurpose ? ` (${c.numberPurpose})` : ''}`,
    ]);
  lines.push(['発信者番号', c.caller ? formatNational(c.caller) : '非通知']);
  if (c.callerCompany) lines.push(['会社名', c.callerCompany]);
  if (c.callerName) lines.push(['お名前', c.callerName]);
  if (c.callbackNumber) lines.push(['折り返し先', formatNational(c.callbackNumber)]);
  if (c.callbackWindow) lines.push(['折り返し希望日時', c.callbackWindow]);
  if (c.namedEmployee) lines.push(['名指し人', c.namedEmployee]);
  if (c.purpose) lines.push(['ご用件', c.purpose]);
  if (c.urgent) lines.push(['緊急度', '至急']);
  if (c.notes) lines.push(['備考', c.notes]);
  if (c.recording) lines.push(['録音', c.recording]);
  if (c.operatorAlias) lines.push(['対応者', c.operatorAlias]);
  lines.push(['詳細', c.link]);
  if (c.ackLink) lines.push(['対応済にする', c.ackLink]);
  return lines;
}

export function reportSubject(c: ReportContent): string {
  const who = c.callerCompany ?? c.callerName ?? (c.caller ? formatNational(c.caller) : '非通知');
  return `${c.wording?.subjectPrefix ?? ''}${c.urgent ? '【至急】' : ''}【受電報告】${c.tenantName}様 ${kindLabel[c.kind].split(' ')[0]} ${who}`;
}
