import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../services/index.ts';
import { actorOf, csrfCookie, everyone, principalOf, sessionCookie } from '../access.ts';
import { noContent, responses } from '../responses.ts';
import { ApiToken, ApiTokenCreate, Id, Login, PasswordChange, Session } from '../schemas.ts';

export interface AuthRouteOptions {
  services: Services;
  cookieSecure: 'auto' | 'always' | 'never';
}

export const authRoutes: FastifyPluginAsyncTypebox<AuthRouteOptions> = async (
  app,
  { services, cookieSecure },
) => {
  const secure = (req: { protocol: string; hostname: string }) =>
    cookieSecure === 'always' ||
    (cookieSecure === 'auto' &&
      (req.protocol === 'https' || /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(req.hostname)));

  app.post(
    '/login',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Log in with e-mail and password; sets the session cookie',
        body: Login,
        response: responses({ 200: Session }),
      },
    },
    async (req, reply) => {
      const { user, sessionToken, csrfToken } = await services.auth.login(
        req.body.email,
        req.body.password,
        req.ip,
      );
      const base = { path: '/', sameSite: 'lax' as const, secure: secure(req) };
      reply.setCookie(sessionCookie, sessionToken, { ...base, httpOnly: true });
      // Readable by the page so it can echo it in X-CSRF-Token.
      reply.setCookie(csrfCookie, csrfToken, { ...base, httpOnly: false });
      return { user, csrfToken };
    },
  );

  app.post(
    '/logout',
    {
      config: { access: { roles: everyone } },
      schema: { tags: ['auth'], summary: 'End this session', response: responses(noContent) },
    },
    async (req, reply) => {
      await services.auth.logout(principalOf(req));
      reply.clearCookie(sessionCookie, { path: '/' }).clearCookie(csrfCookie, { path: '/' });
      return reply.code(204).send();
    },
  );

  app.get(
    '/me',
    {
      config: { access: { roles: everyone } },
      schema: {
        tags: ['auth'],
        summary: 'The logged-in user (and the CSRF token of a cookie session)',
        response: responses({ 200: Session }),
      },
    },
    async (req) => {
      const p = principalOf(req);
      return { user: p.user, ...(p.csrfToken ? { csrfToken: p.csrfToken } : {}) };
    },
  );

  app.post(
    '/password',
    {
      config: { access: { roles: everyone } },
      schema: {
        tags: ['auth'],
        summary: 'Change your own password; other sessions end',
        body: PasswordChange,
        response: responses(noContent),
      },
    },
    async (req, reply) => {
      await services.auth.changePassword(
        actorOf(req),
        principalOf(req),
        req.body.currentPassword,
        req.body.newPassword,
      );
      return reply.code(204).send();
    },
  );

  app.get(
    '/tokens',
    {
      config: { access: { roles: everyone } },
      schema: {
        tags: ['auth'],
        summary: 'Your API tokens',
        response: responses({ 200: Type.Array(ApiToken) }),
      },
    },
    async (req) => services.auth.listTokens(principalOf(req).user.id),
  );

  app.post(
    '/tokens',
    {
      config: { access: { roles: everyone } },
      schema: {
        tags: ['auth'],
        summary: 'Create an API token for integrations (shown once); it acts with your role',
        body: ApiTokenCreate,
        response: responses({ 201: Type.Object({ token: Type.String(), apiToken: ApiToken }) }),
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const now = services.store.clock.now().getTime();
      const expiresAt = req.body.expiresInDays
        ? new Date(now + req.body.expiresInDays * 86_400_000).toISOString()
        : null;
      const created = await services.auth.createToken(
        actorOf(req),
        p.user.id,
        req.body.name,
        expiresAt,
      );
      return reply.code(201).send(created);
    },
  );

  app.delete(
    '/tokens/:tokenId',
    {
      config: { access: { roles: everyone } },
      schema: {
        tags: ['auth'],
        summary: 'Revoke one of your API tokens',
        params: Type.Object({ tokenId: Id }),
        response: responses(noContent),
      },
    },
    async (req, reply) => {
      await services.auth.revokeToken(actorOf(req), principalOf(req).user.id, req.params.tokenId);
      return reply.code(204).send();
    },
  );
};
