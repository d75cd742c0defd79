/**
 * Reports to Slack (incoming webhook: JSON `text`), Microsoft Teams (Workflows webhook:
 * an Adaptive Card message), LINE WORKS (incoming webhook: `title` + `body.text`) and a
 * generic webhook. The generic one carries the whole report as JSON, signed:
 *
 *   X-Uketsuke-Timestamp: <unix seconds>
 *   X-Uketsuke-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 *   Idempotency-Key: <delivery id>      (the same on every retry)
 *
 * so the receiver can check origin and freshness and drop duplicates.
 */
import { createHmac } from 'node:crypto';
import type { Delivery, Report } from '../repositories/report-repository.ts';
import { postAndClassify } from './http-send.ts';
import { reportLines, reportSubject } from './report-content.ts';
import type { Sender, SendResult } from './sender.ts';

const plain = (r: Report) =>
  `${reportSubject(r.content)}\n${reportLines(r.content)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n')}`;
const json = { 'content-type': 'application/json' };

export const slackSender: Sender = {
  async send(d: Delivery, r: Report): Promise<SendResult> {
    return (
      await postAndClassify(d.recipient, {
        headers: json,
        body: JSON.stringify({ text: plain(r) }),
      })
    ).result;
  },
};

export const teamsSender: Sender = {
  async send(d: Delivery, r: Report): Promise<SendResult> {
    const card = {
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: {
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              { type: 'TextBlock', text: reportSubject(r.content), weight: 'Bolder', wrap: true },
              {
                type: 'FactSet',
                facts: reportLines(r.content).map(([title, value]) => ({ title, value })),
              },
            ],
          },
        },
      ],
    };
    return (await postAndClassify(d.recipient, { headers: json, body: JSON.stringify(card) }))
      .result;
  },
};

export const lineWorksSender: Sender = {
  async send(d: Delivery, r: Report): Promise<SendResult> {
    const body = {
      title: reportSubject(r.content),
      body: {
        text: reportLines(r.content)
          .map(([k, v]) => `${k}: ${v}`)
          .join('\n'),
      },
    };
    return (await postAndClassify(d.recipient, { headers: json, body: JSON.stringify(body) }))
      .result;
  },
};

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function genericWebhookSender(secretFor: (tenantId: string) => string): Sender {
  return {
    async send(d: Delivery, r: Report): Promise<SendResult> {
      const body = JSON.stringify({
        type: 'call_report',
        reportId: r.id,
        tenantId: r.tenantId,
        callId: r.callId,
        source: r.source,
        createdAt: r.createdAt,
        content: r.content,
      });
      const ts = Math.floor(Date.now() / 1000);
      return (
        await postAndClassify(d.recipient, {
          headers: {
            ...json,
            'x-uketsuke-timestamp': String(ts),
            'x-uketsuke-signature': signWebhook(secretFor(r.tenantId), ts, body),
            'idempotency-key': d.id,
          },
          body,
        })
      ).result;
    },
  };
}
