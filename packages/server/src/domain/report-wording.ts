/**
 * A client's wording for its reports, within safe limits: plain text only, short, no
 * control characters. Renderers escape it for their medium (HTML for e-mail, tag-safe for
 * Chatwork), so wording can never inject markup.
 */
import { AppError } from '../errors.ts';

export interface ReportWording {
  /** Replaces お電話がありましたのでご報告いたします。 */
  intro?: string;
  /** A closing line before the signature. */
  closing?: string;
  /** Put before the subject, e.g. 【株式会社〇〇】 */
  subjectPrefix?: string;
}

/** Removes C0 control characters and DEL (keeping newlines when asked). */
function stripControls(text: string, keepNewlines: boolean): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if ((c < 0x20 && !(keepNewlines && c === 0x0a)) || c === 0x7f) continue;
    out += ch;
  }
  return out;
}

const limits = { intro: 200, closing: 500, subjectPrefix: 30 } as const;

export function normaliseReportWording(input: ReportWording | null): ReportWording | null {
  if (!input) return null;
  const out: ReportWording = {};
  for (const key of Object.keys(limits) as (keyof ReportWording)[]) {
    const raw = input[key];
    if (raw === undefined || raw === null) continue;
    // Newlines are allowed in the closing only; other control characters nowhere.
    const text = stripControls(String(raw), key === 'closing').trim();
    if ([...text].length > limits[key]) {
      throw new AppError(
        'request.invalid',
        `reportWording.${key} is longer than ${limits[key]} characters`,
        {
          errors: [{ path: `reportWording.${key}`, message: `at most ${limits[key]} characters` }],
        },
      );
    }
    if (text) out[key] = text;
  }
  return Object.keys(out).length ? out : null;
}
