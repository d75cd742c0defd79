/**
 * The composition root: configuration in, a running server out. The only place that knows
 * every concrete adapter (database, clock, logger, HTTP); tests call it with their own.
 */
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { type Clock, systemClock } from './clock.ts';
import type { Config } from './config.ts';
import { openDatabase } from './db/connect.ts';
import { seedDemo } from './demo.ts';
import { Health } from './health.ts';
import { buildApp } from './http/app.ts';
import { createMetrics } from './metrics.ts';
import { DeliveryWorker } from './reports/delivery-worker.ts';
import { ChatworkSender } from './reports/chatwork-sender.ts';
import type { Sender } from './reports/sender.ts';
import { SmtpSender } from './reports/smtp-sender.ts';
import {
  genericWebhookSender,
  lineWorksSender,
  slackSender,
  teamsSender,
} from './reports/webhook-senders.ts';
import { ServerSecret } from './services/server-secret.ts';
import { startTelephony, type Telephony } from './telephony/telephony-service.ts';
import { createServices, type Services } from './services/index.ts';
import { systemActor } from './services/store.ts';

export interface RunningServer {
  services: Services;
  httpUrl: string;
  /** Lines for a person: where to log in, the demo numbers… */
  banner: string[];
  close(): Promise<void>;
}

export async function startServer(
  config: Config,
  opts: { demo?: boolean; clock?: Clock; logger?: Logger } = {},
): Promise<RunningServer> {
  const logger = opts.logger ?? pino({ level: config.logLevel, base: { service: 'uketsuke' } });
  const clock = opts.clock ?? systemClock;
  const db = await openDatabase(config.database);
  const services = createServices(db, clock, {
    quarantineDays: config.quarantineDays,
    promptDir: join(config.dataDir, 'prompts', 'tenants'),
    publicUrl: config.publicUrl,
  });
  const banner: string[] = [];
  try {
    await services.plans.seedDefaults(systemActor);
    const adminEmail = config.adminEmail ?? (opts.demo ? 'admin@example.com' : undefined);
    const adminPassword = config.adminPassword ?? (opts.demo ? 'admin-demo-pass' : undefined);
    const admin = await services.users.ensureFirstAdmin(systemActor, adminEmail, adminPassword);
    if (admin?.generatedPassword) {
      banner.push(
        `first admin created: ${admin.email} / ${admin.generatedPassword} (shown once; set UKETSUKE_ADMIN_EMAIL / UKETSUKE_ADMIN_PASSWORD to choose)`,
      );
    } else if (admin) {
      banner.push(`first admin created: ${admin.email}`);
    }
    if (opts.demo) banner.push(...(await seedDemo(services, config)));
  } catch (err) {
    await db.close();
    throw err;
  }

  const health = new Health();
  const metrics = createMetrics();
  const { app } = await buildApp({
    services,
    health,
    metrics,
    logger,
    cookieSecure: config.cookieSecure,
  });
  health.register('database', async () => {
    await services.plans.list();
    return true;
  });
  health.register('http', () => app.server.listening);

  // Telephony: SIP + media, joined to call control. A port in use stops start-up clearly.
  let telephony: Telephony;
  try {
    telephony = await startTelephony(config, services, logger, metrics.registry);
  } catch (err) {
    await app.close();
    await db.close();
    throw err;
  }
  health.register('sip', () => telephony.listening());
  banner.push(
    `SIP: ${config.sipHost ?? '127.0.0.1'}:${config.sipPort} (UDP and TCP)${telephony.mediaPrompts ? '' : ' — prompts unavailable: apt-get install espeak-ng'}`,
  );

  try {
    await app.listen({ host: config.httpHost, port: config.httpPort });
  } catch (err) {
    await db.close();
    throw err;
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.httpPort;
  const shownHost =
    config.httpHost === '0.0.0.0' || config.httpHost === '::' ? 'localhost' : config.httpHost;
  const httpUrl = `http://${shownHost}:${port}`;
  logger.info({ httpUrl, database: config.database.dialect }, 'uketsuke listening');

  // Report delivery. A channel without its configuration (SMTP, Chatwork token) keeps its
  // reports queued and visible until it is configured; nothing is dropped.
  const secret = await ServerSecret.load(services.store);
  services.reports.useWebhookSecrets((tenantId) => secret.derive(`webhook:${tenantId}`));
  services.reports.useAckKey(secret.derive('report-ack'));
  const senders: Record<string, Sender> = {
    slack: slackSender,
    teams: teamsSender,
    line_works: lineWorksSender,
    webhook: genericWebhookSender((tenantId) => services.reports.webhookSecret(tenantId)),
  };
  if (config.smtpUrl) {
    senders.email = new SmtpSender({
      url: config.smtpUrl,
      from: config.mailFrom,
      threadId: (r) => services.reports.threadId(r.tenantId, r.content.caller),
    });
  } else {
    banner.push(
      'UKETSUKE_SMTP_URL is not set: e-mail reports stay queued (visible in the API) until it is',
    );
  }
  if (config.chatworkToken)
    senders.chatwork = new ChatworkSender({
      apiUrl: config.chatworkApiUrl,
      token: config.chatworkToken,
    });
  const worker = new DeliveryWorker({
    store: services.store,
    log: logger,
    senders,
    backoffBaseMs: config.reportRetrySeconds * 1000,
    onFailedForGood: (d) => services.reports.handleFailure(d),
  });
  await worker.recoverOnStart();
  services.reports.onQueued(() => worker.wake());
  worker.start();
  // Urgent reports nobody acknowledged in time are escalated (checked every 30 s).
  const escalation = setInterval(() => {
    services.reports
      .escalateDue()
      .catch((err) => logger.error({ err }, 'urgent escalation round failed'));
  }, 30_000);
  escalation.unref();

  let closing: Promise<void> | undefined;
  return {
    services,
    httpUrl,
    banner,
    close() {
      closing ??= (async () => {
        clearInterval(escalation);
        await telephony.close();
        await worker.close();
        await app.close();
        await db.close();
      })();
      return closing;
    },
  };
}
