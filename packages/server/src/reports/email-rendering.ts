/**
 * A report as an e-mail: a plain-text part and an HTML part built from the same lines.
 * Every value is escaped in HTML; nothing a caller or tenant typed can inject markup.
 */
import { type ReportContent, reportLines, reportSubject } from './report-content.ts';

export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export function renderReportEmail(c: ReportContent): RenderedEmail {
  const lines = reportLines(c);
  const text = [
    `${c.tenantName} 御中`,
    '',
    c.wording?.intro ?? 'お電話がありましたのでご報告いたします。',
    '',
    ...lines.map(([k, v]) => `${k}: ${v}`),
    '',
    ...(c.wording?.closing ? [c.wording.closing, ''] : []),
    '-- ',
    'Uketsuke 受電報告 (call report). Reply handling: mark it done from the link above.',
  ].join('\n');
  const rows = lines
    .map(([k, v]) => {
      const value =
        k === '詳細' || k === '対応済にする'
          ? `<a href="${escapeHtml(v)}">${escapeHtml(v)}</a>`
          : escapeHtml(v);
      return `<tr><th style="text-align:left;padding:4px 12px 4px 0;white-space:nowrap">${escapeHtml(k)}</th><td style="padding:4px 0">${value}</td></tr>`;
    })
    .join('');
  const html = `<!doctype html><html lang="ja"><body><p>${escapeHtml(c.tenantName)} 御中</p><p>${escapeHtml(c.wording?.intro ?? 'お電話がありましたのでご報告いたします。')}</p><table>${rows}</table>${c.wording?.closing ? `<p style="white-space:pre-line">${escapeHtml(c.wording.closing)}</p>` : ''}</body></html>`;
  return { subject: reportSubject(c), text, html };
}
