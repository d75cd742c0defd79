import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Role } from '../../domain/roles.ts';
import type { Services } from '../../services/index.ts';
import { actorOf, admins, everyone } from '../access.ts';
import { noContent, responses } from '../responses.ts';
import {
  Id,
  NumberAssign,
  NumberCreate,
  NumberKindSchema,
  NumberPatch,
  NumberStateSchema,
  PhoneNumber,
} from '../schemas.ts';

const NumberParams = Type.Object({ numberId: Id });
const poolReaders: readonly Role[] = ['service_admin', 'supervisor'];

/** The number pool, managed by the answering service: /numbers. */
export const numberPoolRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  const numbers = services.numbers;

  app.get(
    '/',
    {
      config: { access: { roles: poolReaders } },
      schema: {
        tags: ['numbers'],
        summary: 'Every number in the pool',
        querystring: Type.Object(
          {
            state: Type.Optional(NumberStateSchema),
            kind: Type.Optional(NumberKindSchema),
            tenantId: Type.Optional(Id),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Array(PhoneNumber) }),
      },
    },
    async (req) => numbers.list(req.query),
  );

  app.post(
    '/',
    {
      config: { access: { roles: admins } },
      schema: {
        tags: ['numbers'],
        summary: 'Register a number (its kind is derived from the prefix)',
        body: NumberCreate,
        response: responses({ 201: PhoneNumber }),
      },
    },
    async (req, reply) => reply.code(201).send(await numbers.create(actorOf(req), req.body)),
  );

  app.get(
    '/:numberId',
    {
      config: { access: { roles: poolReaders } },
      schema: {
        tags: ['numbers'],
        summary: 'A number',
        params: NumberParams,
        response: responses({ 200: PhoneNumber }),
      },
    },
    async (req) => numbers.get(req.params.numberId),
  );

  app.patch(
    '/:numberId',
    {
      config: { access: { roles: admins } },
      schema: {
        tags: ['numbers'],
        summary:
          'Change purpose, note, destination or origination (never the usage mode of a lent number)',
        params: NumberParams,
        body: NumberPatch,
        response: responses({ 200: PhoneNumber }),
      },
    },
    async (req) => numbers.update(actorOf(req), req.params.numberId, req.body),
  );

  app.delete(
    '/:numberId',
    {
      config: { access: { roles: admins } },
      schema: {
        tags: ['numbers'],
        summary: 'Remove a number that is not lent',
        params: NumberParams,
        response: responses(noContent),
      },
    },
    async (req, reply) => {
      await numbers.delete(actorOf(req), req.params.numberId);
      return reply.code(204).send();
    },
  );

  app.post(
    '/:numberId/assignment',
    {
      config: { access: { roles: admins } },
      schema: {
        tags: ['numbers'],
        summary: 'Lend the number to a client with exactly one usage mode',
        params: NumberParams,
        body: NumberAssign,
        response: responses({ 200: PhoneNumber }),
      },
    },
    async (req) => numbers.assign(actorOf(req), req.params.numberId, req.body),
  );

  app.delete(
    '/:numberId/assignment',
    {
      config: { access: { roles: admins } },
      schema: {
        tags: ['numbers'],
        summary: 'Take the number back; it rests in quarantine before it can be lent again',
        params: NumberParams,
        response: responses({ 200: PhoneNumber }),
      },
    },
    async (req) => numbers.release(actorOf(req), req.params.numberId),
  );
};

/** A client's own numbers: /tenants/:tenantId/numbers. */
export const tenantNumberRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  app.get(
    '/:tenantId/numbers',
    {
      config: { access: { roles: everyone, tenantScoped: true } },
      schema: {
        tags: ['numbers'],
        summary: 'Numbers lent to the client',
        params: Type.Object({ tenantId: Id }),
        response: responses({ 200: Type.Array(PhoneNumber) }),
      },
    },
    async (req) => services.numbers.list({ tenantId: req.params.tenantId }),
  );

  app.get(
    '/:tenantId/numbers/:numberId',
    {
      config: { access: { roles: everyone, tenantScoped: true } },
      schema: {
        tags: ['numbers'],
        summary: 'A number lent to the client',
        params: Type.Object({ tenantId: Id, numberId: Id }),
        response: responses({ 200: PhoneNumber }),
      },
    },
    async (req) => services.numbers.get(req.params.numberId, req.params.tenantId),
  );

  app.put(
    '/:tenantId/numbers/:numberId/self-answer',
    {
      config: {
        access: { roles: ['service_admin', 'client_admin', 'client_user'], tenantScoped: true },
      },
      schema: {
        tags: ['numbers'],
        summary: 'Self-answer toggle: calls go straight to the client phone while on',
        params: Type.Object({ tenantId: Id, numberId: Id }),
        body: Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false }),
        response: responses({ 200: PhoneNumber }),
      },
    },
    async (req) =>
      services.numbers.setSelfAnswer(
        actorOf(req),
        req.params.tenantId,
        req.params.numberId,
        req.body.enabled,
      ),
  );
};
