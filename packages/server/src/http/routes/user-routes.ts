import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../services/index.ts';
import { actorOf, admins, tenantEditors } from '../access.ts';
import { responses } from '../responses.ts';
import {
  AuditEntry,
  Id,
  RoleSchema,
  TenantUserCreate,
  TenantUserPatch,
  User,
  UserCreate,
  UserPatch,
} from '../schemas.ts';

/** All users, for service admins: /users and /audit. */
export const userRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  app.get(
    '/users',
    {
      config: { access: { roles: admins } },
      schema: {
        tags: ['users'],
        summary: 'Every user',
        querystring: Type.Object(
          { tenantId: Type.Optional(Id), role: Type.Optional(RoleSchema) },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Array(User) }),
      },
    },
    async (req) =>
      services.users.list({
        tenantId: req.query.tenantId,
        roles: req.query.role ? [req.query.role] : undefined,
      }),
  );

  app.post(
    '/users',
    {
      config: { access: { roles: admins } },
      schema: {
        tags: ['users'],
        summary: 'Create a user of any role',
        body: UserCreate,
        response: responses({ 201: User }),
      },
    },
    async (req, reply) => reply.code(201).send(await services.users.create(actorOf(req), req.body)),
  );

  app.get(
    '/users/:userId',
    {
      config: { access: { roles: admins } },
      schema: {
        tags: ['users'],
        summary: 'A user',
        params: Type.Object({ userId: Id }),
        response: responses({ 200: User }),
      },
    },
    async (req) => services.users.get(req.params.userId),
  );

  app.patch(
    '/users/:userId',
    {
      config: { access: { roles: admins } },
      schema: {
        tags: ['users'],
        summary: 'Change a user (disabling ends their sessions and tokens)',
        params: Type.Object({ userId: Id }),
        body: UserPatch,
        response: responses({ 200: User }),
      },
    },
    async (req) => services.users.update(actorOf(req), req.params.userId, req.body),
  );

  app.get(
    '/audit',
    {
      config: { access: { roles: admins } },
      schema: {
        tags: ['audit'],
        summary: 'The audit log of every change, newest first',
        querystring: Type.Object(
          {
            tenantId: Type.Optional(Id),
            entityId: Type.Optional(Id),
            before: Type.Optional(Id),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Array(AuditEntry) }),
      },
    },
    async (req) => services.audit.list({ ...req.query, limit: req.query.limit ?? 100 }),
  );
};

/** A client's own users (portal logins): /tenants/:tenantId/users. */
export const tenantUserRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  const Params = Type.Object({ tenantId: Id });
  const UserParams = Type.Object({ tenantId: Id, userId: Id });

  app.get(
    '/:tenantId/users',
    {
      config: { access: { roles: tenantEditors, tenantScoped: true } },
      schema: {
        tags: ['users'],
        summary: "The client's portal users",
        params: Params,
        response: responses({ 200: Type.Array(User) }),
      },
    },
    async (req) => services.users.list({ tenantId: req.params.tenantId }),
  );

  app.post(
    '/:tenantId/users',
    {
      config: { access: { roles: tenantEditors, tenantScoped: true } },
      schema: {
        tags: ['users'],
        summary: 'Add a portal user (client admin or client user)',
        params: Params,
        body: TenantUserCreate,
        response: responses({ 201: User }),
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(
          await services.users.create(actorOf(req), { ...req.body, tenantId: req.params.tenantId }),
        ),
  );

  app.patch(
    '/:tenantId/users/:userId',
    {
      config: { access: { roles: tenantEditors, tenantScoped: true } },
      schema: {
        tags: ['users'],
        summary: 'Change a portal user',
        params: UserParams,
        body: TenantUserPatch,
        response: responses({ 200: User }),
      },
    },
    async (req) =>
      services.users.update(actorOf(req), req.params.userId, req.body, {
        tenantId: req.params.tenantId,
      }),
  );
};
