/**
 * Acknowledging a report from the link in its e-mail or chat message, without logging in.
 * GET only shows a page with a button: mail scanners and link previews fetch links, and
 * must not mark anything handled. The POST from that button does it.
 */
import type { FastifyPluginAsync } from 'fastify';
import { escapeHtml } from '../../reports/email-rendering.ts';
import type { Services } from '../../services/index.ts';

const page = (title: string, body: string) =>
  `<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif;max-width:36em;margin:3em auto;padding:0 1em">${body}</body></html>`;

export const ackRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.get<{ Params: { token: string } }>(
    '/r/ack/:token',
    { config: { access: 'public' }, schema: { hide: true } },
    async (req, reply) => {
      const id = services.reports.reportIdFromAckToken(req.params.token);
      reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer');
      if (!id)
        return reply
          .code(404)
          .send(
            page('無効なリンク', '<h1>このリンクは無効です</h1><p>This link is not valid.</p>'),
          );
      return page(
        '受電報告を対応済にする',
        `<h1>受電報告を対応済にしますか?</h1><p>Mark this call report as handled?</p><form method="post"><button type="submit" style="font-size:1.2em;padding:.5em 1.5em">対応済にする (Mark handled)</button></form>`,
      );
    },
  );

  app.post<{ Params: { token: string } }>(
    '/r/ack/:token',
    { config: { access: 'public' }, schema: { hide: true } },
    async (req, reply) => {
      const r = await services.reports.acknowledgeByToken(req.params.token, req.ip);
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
      if (!r)
        return reply
          .code(404)
          .send(
            page('無効なリンク', '<h1>このリンクは無効です</h1><p>This link is not valid.</p>'),
          );
      return page(
        '対応済',
        `<h1>対応済にしました</h1><p>The report is marked handled (${escapeHtml(r.acknowledgedAt ?? '')}).</p>`,
      );
    },
  );
};
