import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { formatCallbackWindow } from '../../domain/callback-window.ts';
import { formatNational } from '../../domain/phone-number.ts';
import type { Role } from '../../domain/roles.ts';
import type { CallbackTask } from '../../repositories/callback-repository.ts';
import type { Services } from '../../services/index.ts';
import { actorOf, admins, everyone, tenantEditors } from '../access.ts';
import { noContent, responses } from '../responses.ts';
import {
  BlockEntry,
  BlockEntryCreate,
  Callback,
  CallbackCreate,
  CallbackPatch,
  Flow,
  FlowCreate,
  FlowUpdate,
  FlowVersion,
  FlowWithDefinition,
  Trunk,
  TrunkCreate,
  TrunkPatch,
} from '../call-handling-schemas.ts';
import { Id } from '../schemas.ts';

const flowReaders: readonly Role[] = ['service_admin', 'supervisor', 'operator', 'client_admin'];
const callbackWriters: readonly Role[] = ['service_admin', 'supervisor', 'operator'];
const TenantParams = Type.Object({ tenantId: Id });

const callbackView = (t: CallbackTask) => ({
  ...t,
  display: formatNational(t.callbackNumber),
  windowText:
    t.windowStart && t.windowEnd ? formatCallbackWindow(t.windowStart, t.windowEnd) : null,
});

/** Call flows, the tenant's block list and callback tasks, under /tenants/:tenantId. */
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
};
