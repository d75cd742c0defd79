/**
 * E-mail reports over SMTP (nodemailer). Japanese subjects and names are encoded as
 * RFC 2047 encoded-words by nodemailer; the body is UTF-8 text plus HTML. The Message-ID
 * is the delivery's idempotency key, the same on every retry; References/In-Reply-To name
 * a per-caller thread id so mail clients group every report about one caller.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Delivery, Report } from '../repositories/report-repository.ts';
import { renderReportEmail } from './email-rendering.ts';
import type { Sender, SendResult } from './sender.ts';

export interface SmtpSenderOptions {
  url: string;
  from: string;
  threadId(report: Report): string | undefined;
}

export class SmtpSender implements Sender {
  readonly #transport: Transporter;
  readonly #opts: SmtpSenderOptions;

  constructor(opts: SmtpSenderOptions) {
    this.#opts = opts;
    // Pooled connections: a greeting (and, with smtps, a TLS handshake) per message would
    // dominate the latency. Each delivery is still its own MAIL FROM transaction, so a
    // refusal affects that one message and is retried on its own.
    const u = new URL(opts.url);
    this.#transport = nodemailer.createTransport({
      host: u.hostname,
      port: Number(u.port) || (u.protocol === 'smtps:' ? 465 : 25),
      secure: u.protocol === 'smtps:',
      pool: true,
      maxConnections: 4,
      maxMessages: 200,
      ...(u.username
        ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } }
        : {}),
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
  }

  async send(delivery: Delivery, report: Report): Promise<SendResult> {
    const mail = renderReportEmail(report.content);
    const thread = this.#opts.threadId(report);
    try {
      const info = await this.#transport.sendMail({
        from: this.#opts.from,
        to: delivery.recipient,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: delivery.messageId,
        ...(thread ? { references: thread, inReplyTo: thread } : {}),
        headers: { 'X-Uketsuke-Report': report.id, 'Auto-Submitted': 'auto-generated' },
      });
      return { ok: true, detail: String(info.response ?? '') };
    } catch (err) {
      const e = err as { responseCode?: number; code?: string; message: string };
      // RFC 5321 §4.2.1: 5yz is a permanent failure, 4yz transient; no code = network trouble.
      const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500;
      return {
        ok: false,
        permanent,
        error: `${e.responseCode ?? e.code ?? 'error'}: ${e.message}`.slice(0, 500),
      };
    }
  }

  async close(): Promise<void> {
    this.#transport.close();
  }
}
