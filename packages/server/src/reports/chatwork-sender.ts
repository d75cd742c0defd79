/**
 * Reports posted to the client's Chatwork room (API v2, `POST /rooms/{room_id}/messages`,
 * form-encoded `body`, `X-ChatWorkToken`). The named person is mentioned with
 * `[To:account_id]`; the report sits in an `[info][title]…[/title]…[/info]` block.
 * Values are kept from forming Chatwork tags (a caller's "[/info]" stays text).
 * Rate limits: the `x-ratelimit-*` headers say how many calls remain and when the window
 * resets (Unix seconds); once none remain, sends wait for the reset instead of earning 429s.
 */
import type { Delivery, Report } from '../repositories/report-repository.ts';
import { postAndClassify } from './http-send.ts';
import { reportLines, reportSubject } from './report-content.ts';
import type { Sender, SendResult } from './sender.ts';

/** Square brackets become full-width so user text cannot open or close a Chatwork tag. */
export function chatworkText(s: string): string {
  return s.replace(/\[/g, '［').replace(/\]/g, '］');
}

export function chatworkBody(report: Report): string {
  const c = report.content;
  const mention =
    c.namedChatworkAccount && /^\d+$/.test(c.namedChatworkAccount)
      ? `[To:${c.namedChatworkAccount}]${chatworkText(c.namedEmployee ?? '')}さん\n`
      : '';
  const lines = reportLines(c)
    .map(([k, v]) => `${chatworkText(k)}: ${chatworkText(v)}`)
    .join('\n');
  const intro = c.wording?.intro ? `${chatworkText(c.wording.intro)}\n` : '';
  const closing = c.wording?.closing ? `\n${chatworkText(c.wording.closing)}` : '';
  return `${mention}${intro}[info][title]${chatworkText(reportSubject(c))}[/title]${lines}[/info]${closing}`;
}

export class ChatworkSender implements Sender {
  readonly #base: string;
  readonly #token: string;
  #blockedUntil = 0;

  constructor(opts: { apiUrl: string; token: string }) {
    this.#base = opts.apiUrl.replace(/\/$/, '');
    this.#token = opts.token;
  }

  async send(delivery: Delivery, report: Report): Promise<SendResult> {
    const now = Date.now();
    if (now < this.#blockedUntil)
      return {
        ok: false,
        permanent: false,
        error: 'rate limit: waiting for the window to reset',
        retryAfterMs: this.#blockedUntil - now,
      };
    const form = new URLSearchParams({ body: chatworkBody(report), self_unread: '0' });
    const { result, response } = await postAndClassify(
      `${this.#base}/rooms/${encodeURIComponent(delivery.recipient)}/messages`,
      {
        headers: {
          'x-chatworktoken': this.#token,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form.toString(),
      },
    );
    const remaining = response?.headers.get('x-ratelimit-remaining');
    const reset = Number(response?.headers.get('x-ratelimit-reset'));
    if (Number.isFinite(reset) && reset > 0 && (remaining === '0' || response?.status === 429)) {
      this.#blockedUntil = reset * 1000;
      if (!result.ok) return { ...result, retryAfterMs: Math.max(0, reset * 1000 - Date.now()) };
    }
    return result;
  }
}
