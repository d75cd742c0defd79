/**
 * The telephony edge: a SIP endpoint on UKETSUKE_SIP_PORT (UDP and TCP) and the media
 * engine in worker threads. Every INVITE becomes a SipCallChannel handed to call control;
 * refusals become final responses with the status admission chose.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MediaEngine } from '@uketsuke/media';
import { type IncomingInviteSession, SipEndpoint } from '@uketsuke/sip';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import type { Config } from '../config.ts';
import { InboundCallHandler } from '../call-control/inbound-call-handler.ts';
import { noOperators } from '../call-control/queue-manager.ts';
import type { Services } from '../services/index.ts';
import { inviteIdentity } from './invite-identity.ts';
import { SipCallChannel } from './sip-call-channel.ts';
import { TrunkRegistrations } from './trunk-registrations.ts';

export interface Telephony {
  sipPort: number;
  /** Calls between their INVITE and their call record (a stuck call stays counted). */
  activeCalls(): number;
  mediaPrompts: boolean;
  listening(): boolean;
  close(): Promise<void>;
}

export async function startTelephony(
  config: Config,
  services: Services,
  log: Logger,
  registry?: Registry,
): Promise<Telephony> {
  const promptDir = join(config.dataDir, 'prompts');
  const recordingsDir = join(config.dataDir, 'recordings');
  mkdirSync(promptDir, { recursive: true });
  mkdirSync(recordingsDir, { recursive: true });
  // SIP and RTP bind to the advertised address: our Contact and SDP name the address we
  // listen on. Default loopback (a fresh `npm start` is reachable only from this machine);
  // set UKETSUKE_SIP_HOST to a LAN or public address for phones and trunks elsewhere.
  const advertise = config.sipHost ?? '127.0.0.1';
  const rtpPorts = `${config.rtpPorts.min}-${config.rtpPorts.max}`;
  let engine: MediaEngine;
  let mediaPrompts = true;
  try {
    engine = await MediaEngine.start({
      workers: 1,
      rtpPorts,
      bindAddress: advertise,
      advertiseAddress: advertise,
      promptDir,
    });
  } catch (err) {
    // Without espeak-ng the default prompts cannot be rendered; calls still connect.
    log.warn(
      { err: (err as Error).message },
      'prompts unavailable (apt-get install espeak-ng); starting media without them',
    );
    mediaPrompts = false;
    engine = await MediaEngine.start({
      workers: 1,
      rtpPorts,
      bindAddress: advertise,
      advertiseAddress: advertise,
      promptDir,
      prepare: false,
    });
  }
  // Media failures surface as engine events; without listeners they would go unseen.
  engine.on('endpointError', ({ id, error }) =>
    log.warn({ mediaEndpoint: id, code: error.code, err: error.message }, 'media endpoint error'),
  );
  engine.on('workerRestarted', ({ worker }) =>
    log.warn({ mediaWorker: worker }, 'media worker restarted'),
  );
  engine.on('workerFailed', ({ worker, error }) =>
    log.error(
      { mediaWorker: worker, code: error.code, err: error.message },
      'media worker failed; its calls lost their audio (a new worker replaces it)',
    ),
  );
  const endpoint = await SipEndpoint.listen(
    { host: advertise, port: config.sipPort },
    { user: 'uketsuke' },
  );
  const handler = new InboundCallHandler({
    services,
    queues: noOperators,
    clock: services.store.clock,
    log,
  });
  let seq = 0;
  let active = 0;
  if (registry) {
    new Gauge({
      name: 'uketsuke_active_calls',
      help: 'Inbound calls being handled (from the INVITE until the call record is written)',
      registers: [registry],
      collect() {
        this.set(active);
      },
    });
  }
  endpoint.on('invite', (session: IncomingInviteSession) => {
    const channel = new SipCallChannel(session, {
      engine,
      endpoint,
      recordingsDir,
      callTag: `${Date.now()}-${++seq}`,
      clock: services.store.clock,
    });
    active++;
    handler
      .handle({
        sipCallId: session.request.callId,
        sourceAddress: session.remoteAddress.address,
        identity: inviteIdentity(session.request),
        channel,
      })
      .then((r) => {
        if (r.kind === 'rejected' && (session.state === 'trying' || session.state === 'early')) {
          try {
            session.reject(r.status);
          } catch {}
        }
      })
      .catch((err) => {
        log.error({ err }, 'inbound call failed');
        void channel.hangup(500);
      })
      .finally(() => {
        active--;
      });
  });
  log.info({ sipPort: config.sipPort, advertise }, 'SIP listening');
  const registrations = new TrunkRegistrations({
    endpoint,
    loadTrunks: () => services.store.read((r) => r.trunks.list()),
    log,
    now: () => services.store.clock.now(),
  });
  await registrations.start();
  if (registry) {
    new Gauge({
      name: 'uketsuke_trunk_registered',
      help: 'Registration to the carrier per trunk: 1 registered, 0 registering or failed',
      labelNames: ['trunk'],
      registers: [registry],
      collect() {
        this.reset();
        for (const s of registrations.statuses())
          this.set({ trunk: s.trunkName }, s.state === 'registered' ? 1 : 0);
      },
    });
  }
  let closed = false;
  return {
    sipPort: config.sipPort,
    mediaPrompts,
    activeCalls: () => active,
    listening: () => !closed,
    async close() {
      if (closed) return;
      closed = true;
      await registrations.close();
      await endpoint.close();
      await engine.close();
    },
  };
}
