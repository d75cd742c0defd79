import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { formatCallbackWindow } from '../../domain/callback-window.ts';
import { formatNational } from '../../domain/phone-number.ts';
import type { Role } from '../../domain/roles.ts';
import type { CallRecord } from '../../repositories/call-record-repository.ts';
import type { CallbackTask } from '../../repositories/callback-repository.ts';
import { normaliseInstant } from '../../domain/validation.ts';
import type { Services } from '../../services/index.ts';
import { actorOf, admins, everyone, tenantEditors } from '../access.ts';
import { noContent, responses } from '../responses.ts';
import {
  BlockEntry,
  BlockEntryCreate,
  CallQuery,
  CallRecordSchema,
  Callback,
  CallbackCreate,
  CallbackPatch,
  Flow,
  FlowCreate,
  FlowUpdate,
  FlowVersion,
  FlowWithDefinition,
  Id,
  Trunk,
  TrunkCreate,
  TrunkPatch,
} from '../schemas.ts';

const flowReaders: readonly Role[] = ['service_admin', 'supervisor', 'operator', 'client_admin'];
const callbackWriters: readonly Role[] = ['service_admin', 'supervisor', 'operator'];
const TenantParams = Type.Object({ tenantId: Id });

const callbackView = (t: CallbackTask) => ({
  ...t,
  display: formatNational(t.callbackNumber),
  windowText:
    t.windowStart && t.windowEnd ? formatCallbackWindow(t.windowStart, t.windowEnd) : null,
});

const callView = (c: CallRecord) => ({
  ...c,
  callerDisplay: c.caller ? formatNational(c.caller) : '非通知 (withheld)',
});

function callFilter(q: {
  from?: string;
  to?: string;
  disposition?: string;
  before?: string;
  limit?: number;
}) {
  return {
    ...(q.from ? { from: normaliseInstant(q.from, 'from') } : {}),
    ...(q.to ? { to: normaliseInstant(q.to, 'to') } : {}),
    ...(q.disposition ? { disposition: q.disposition } : {}),
    ...(q.before ? { before: q.before } : {}),
    limit: q.limit ?? 100,
  };
}

/** Call flows, the tenant's block list, callback tasks and call records, under /tenants/:tenantId. */
export const tenantCallHandlingRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  const FlowParams = Type.Object({ tenantId: Id, flowId: Id });

  app.get(
    '/:tenantId/flows',
    {
      config: { access: { roles: flowReaders, tenantScoped: true } },
      schema: {
        tags: ['call flows'],
        summary: "The client's call flows",
        params: TenantParams,
        response: responses({ 200: Type.Array(Flow) }),
      },
    },
    async (req) => services.flows.list(req.params.tenantId),
  );

  app.post(
    '/:tenantId/flows',
    {
      config: { access: { roles: admins, tenantScoped: true } },
      schema: {
        tags: ['call flows'],
        summary: 'Create a call flow; invalid flows are refused with the exact step and reason',
        params: TenantParams,
        body: FlowCreate,
        response: responses({ 201: FlowWithDefinition }),
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(
          await services.flows.create(
            actorOf(req),
            req.params.tenantId,
            req.body.name,
            req.body.definition,
          ),
        ),
  );

  app.get(
    '/:tenantId/flows/:flowId',
    {
      config: { access: { roles: flowReaders, tenantScoped: true } },
      schema: {
        tags: ['call flows'],
        summary: 'A call flow with its current definition',
        params: FlowParams,
        response: responses({ 200: FlowWithDefinition }),
      },
    },
    async (req) => services.flows.get(req.params.tenantId, req.params.flowId),
  );

  app.put(
    '/:tenantId/flows/:flowId',
    {
      config: { access: { roles: admins, tenantScoped: true } },
      schema: {
        tags: ['call flows'],
        summary: 'Save a new version (or rename)',
        params: FlowParams,
        body: FlowUpdate,
        response: responses({ 200: FlowWithDefinition }),
      },
    },
    async (req) =>
      services.flows.update(actorOf(req), req.params.tenantId, req.params.flowId, req.body),
  );

  app.get(
    '/:tenantId/flows/:flowId/versions',
    {
      config: { access: { roles: flowReaders, tenantScoped: true } },
      schema: {
        tags: ['call flows'],
        summary: 'Every saved version, newest first',
        params: FlowParams,
        response: responses({ 200: Type.Array(FlowVersion) }),
      },
    },
    async (req) => services.flows.versions(req.params.tenantId, req.params.flowId),
  );

  app.get(
    '/:tenantId/flows/:flowId/versions/:version',
    {
      config: { access: { roles: flowReaders, tenantScoped: true } },
      schema: {
        tags: ['call flows'],
        summary: 'One saved version',
        params: Type.Object({ tenantId: Id, flowId: Id, version: Type.Integer({ minimum: 1 }) }),
        response: responses({ 200: FlowVersion }),
      },
    },
    async (req) =>
      services.flows.version(req.params.tenantId, req.params.flowId, req.params.version),
  );

  app.get(
    '/:tenantId/block-list',
    {
      config: { access: { roles: tenantEditors, tenantScoped: true } },
      schema: {
        tags: ['block list'],
        summary: "The client's own block list",
        params: TenantParams,
        response: responses({ 200: Type.Array(BlockEntry) }),
      },
    },
    async (req) => services.blockList.list(req.params.tenantId),
  );

  app.post(
    '/:tenantId/block-list',
    {
      config: { access: { roles: tenantEditors, tenantScoped: true } },
      schema: {
        tags: ['block list'],
        summary: 'Block a number or prefix for this client',
        params: TenantParams,
        body: BlockEntryCreate,
        response: responses({ 201: BlockEntry }),
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(await services.blockList.add(actorOf(req), req.params.tenantId, req.body)),
  );

  app.delete(
    '/:tenantId/block-list/:entryId',
    {
      config: { access: { roles: tenantEditors, tenantScoped: true } },
      schema: {
        tags: ['block list'],
        summary: 'Unblock',
        params: Type.Object({ tenantId: Id, entryId: Id }),
        response: responses(noContent),
      },
    },
    async (req, reply) => {
      await services.blockList.remove(actorOf(req), req.params.tenantId, req.params.entryId);
      return reply.code(204).send();
    },
  );

  const CallbackParams = Type.Object({ tenantId: Id, callbackId: Id });

  app.get(
    '/:tenantId/callbacks',
    {
      config: { access: { roles: everyone, tenantScoped: true } },
      schema: {
        tags: ['callbacks'],
        summary: 'Callback tasks, newest first',
        params: TenantParams,
        querystring: Type.Object(
          { status: Type.Optional(CallbackPatch.properties.status) },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Array(Callback) }),
      },
    },
    async (req) =>
      (await services.callbacks.list(req.params.tenantId, req.query.status)).map(callbackView),
  );

  app.post(
    '/:tenantId/callbacks',
    {
      config: { access: { roles: callbackWriters, tenantScoped: true } },
      schema: {
        tags: ['callbacks'],
        summary: 'Promise a callback (operators)',
        params: TenantParams,
        body: CallbackCreate,
        response: responses({ 201: Callback }),
      },
    },
    async (req, reply) =>
      reply.code(201).send(
        callbackView(
          await services.callbacks.create(actorOf(req), req.params.tenantId, {
            ...req.body,
            source: 'operator',
          }),
        ),
      ),
  );

  app.get(
    '/:tenantId/callbacks/:callbackId',
    {
      config: { access: { roles: everyone, tenantScoped: true } },
      schema: {
        tags: ['callbacks'],
        summary: 'A callback task',
        params: CallbackParams,
        response: responses({ 200: Callback }),
      },
    },
    async (req) =>
      callbackView(await services.callbacks.get(req.params.tenantId, req.params.callbackId)),
  );

  app.patch(
    '/:tenantId/callbacks/:callbackId',
    {
      config: { access: { roles: everyone, tenantScoped: true } },
      schema: {
        tags: ['callbacks'],
        summary: 'Mark a callback in progress, done or cancelled',
        params: CallbackParams,
        body: CallbackPatch,
        response: responses({ 200: Callback }),
      },
    },
    async (req) =>
      callbackView(
        await services.callbacks.update(
          actorOf(req),
          req.params.tenantId,
          req.params.callbackId,
          req.body,
        ),
      ),
  );

  app.get(
    '/:tenantId/calls',
    {
      config: { access: { roles: everyone, tenantScoped: true } },
      schema: {
        tags: ['calls'],
        summary: 'Call history (CDRs), newest first',
        params: TenantParams,
        querystring: CallQuery,
        response: responses({ 200: Type.Array(CallRecordSchema) }),
      },
    },
    async (req) =>
      (await services.calls.list({ ...callFilter(req.query), tenantId: req.params.tenantId })).map(
        callView,
      ),
  );

  app.get(
    '/:tenantId/calls/:callId',
    {
      config: { access: { roles: everyone, tenantScoped: true } },
      schema: {
        tags: ['calls'],
        summary: 'One call record',
        params: Type.Object({ tenantId: Id, callId: Id }),
        response: responses({ 200: CallRecordSchema }),
      },
    },
    async (req) => callView(await services.calls.get(req.params.callId, req.params.tenantId)),
  );

  app.patch(
    '/:tenantId/calls/:callId',
    {
      config: { access: { roles: everyone, tenantScoped: true } },
      schema: {
        tags: ['calls'],
        summary:
          'Set how far the call is dealt with: open (未対応), in_progress (対応中), done (対応済)',
        params: Type.Object({ tenantId: Id, callId: Id }),
        body: Type.Object(
          {
            handlingStatus: Type.Union([
              Type.Literal('open'),
              Type.Literal('in_progress'),
              Type.Literal('done'),
            ]),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: CallRecordSchema }),
      },
    },
    async (req) =>
      callView(
        await services.calls.setHandlingStatus(
          actorOf(req),
          req.params.tenantId,
          req.params.callId,
          req.body.handlingStatus,
        ),
      ),
  );
};

/** The service-wide block list and the carrier trunks. */
export const serviceCallHandlingRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  app.get(
    '/block-list',
    {
      config: { access: { roles: ['service_admin', 'supervisor'] } },
      schema: {
        tags: ['block list'],
        summary: 'The service-wide block list',
        response: responses({ 200: Type.Array(BlockEntry) }),
      },
    },
    async () => services.blockList.list(null),
  );

  app.post(
    '/block-list',
    {
      config: { access: { roles: admins } },
      schema: {
        tags: ['block list'],
        summary: 'Block a number or prefix for every client',
        body: BlockEntryCreate,
        response: responses({ 201: BlockEntry }),
      },
    },
    async (req, reply) =>
      reply.code(201).send(await services.blockList.add(actorOf(req), null, req.body)),
  );

  app.delete(
    '/block-list/:entryId',
    {
      config: { access: { roles: admins } },
      schema: {
        tags: ['block list'],
        summary: 'Unblock',
        params: Type.Object({ entryId: Id }),
        response: responses(noContent),
      },
    },
    async (req, reply) => {
      await services.blockList.remove(actorOf(req), null, req.params.entryId);
      return reply.code(204).send();
    },
  );

  const TrunkParams = Type.Object({ trunkId: Id });
  app.get(
    '/trunks',
    {
      config: { access: { roles: admins } },
      schema: {
        tags: ['trunks'],
        summary: 'Carrier SIP trunks (passwords never shown)',
        response: responses({ 200: Type.Array(Trunk) }),
      },
    },
    async () => services.trunks.list(),
  );

  app.post(
    '/trunks',
    {
      config: { access: { roles: admins } },
      schema: {
        tags: ['trunks'],
        summary: 'Add a carrier trunk',
        body: TrunkCreate,
        response: responses({ 201: Trunk }),
      },
    },
    async (req, reply) =>
      reply.code(201).send(await services.trunks.create(actorOf(req), req.body)),
  );

  app.get(
    '/trunks/:trunkId',
    {
      config: { access: { roles: admins } },
      schema: {
        tags: ['trunks'],
        summary: 'A trunk',
        params: TrunkParams,
        response: responses({ 200: Trunk }),
      },
    },
    async (req) => services.trunks.get(req.params.trunkId),
  );

  app.patch(
    '/trunks/:trunkId',
    {
      config: { access: { roles: admins } },
      schema: {
        tags: ['trunks'],
        summary: 'Change a trunk (an empty password keeps the stored one)',
        params: TrunkParams,
        body: TrunkPatch,
        response: responses({ 200: Trunk }),
      },
    },
    async (req) => services.trunks.update(actorOf(req), req.params.trunkId, req.body),
  );

  app.delete(
    '/trunks/:trunkId',
    {
      config: { access: { roles: admins } },
      schema: {
        tags: ['trunks'],
        summary: 'Remove a trunk',
        params: TrunkParams,
        response: responses(noContent),
      },
    },
    async (req, reply) => {
      await services.trunks.delete(actorOf(req), req.params.trunkId);
      return reply.code(204).send();
    },
  );

  app.get(
    '/calls',
    {
      config: { access: { roles: ['service_admin', 'supervisor'] } },
      schema: {
        tags: ['calls'],
        summary: 'Every call record, newest first',
        querystring: CallQuery,
        response: responses({ 200: Type.Array(CallRecordSchema) }),
      },
    },
    async (req) => (await services.calls.list(callFilter(req.query))).map(callView),
  );
};
