/**
 * Who may call a route. Every API route declares `config.access`; a route without it is
 * refused at start-up (see app.ts), so nothing is public by accident.
 *
 *   'public'                     anyone, no login
 *   { roles }                    a logged-in user whose role is listed
 *   { roles, tenantScoped: true} …and, for client roles, only with their own :tenantId
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isClientRole, type Role, roles } from '../domain/roles.ts';
import { AppError } from '../errors.ts';
import { type AuthService, csrfMatches, type Principal } from '../services/auth-service.ts';
import type { Actor } from '../services/store.ts';

export type Access = 'public' | { roles: readonly Role[]; tenantScoped?: boolean };

export const everyone: readonly Role[] = roles;
export const admins: readonly Role[] = ['service_admin'];
export const serviceStaff: readonly Role[] = ['service_admin', 'supervisor', 'operator'];
export const tenantEditors: readonly Role[] = ['service_admin', 'client_admin'];

export const sessionCookie = 'uketsuke_session';
export const csrfCookie = 'uketsuke_csrf';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The onRequest hook: authenticate, check CSRF, role and tenant. */
export function accessHook(auth: AuthService) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const access = request.routeOptions.config?.access;
    if (access === undefined) {
      // Not one of our routes (404 handler): nothing to authorise.
      return;
    }
    request.principal = await authenticate(auth, request);
    if (access === 'public') return;
    const p = request.principal;
    if (!p) throw new AppError('auth.unauthenticated');
    if (p.via === 'session' && !safeMethods.has(request.method)) {
      if (!csrfMatches(p.csrfToken!, request.headers['x-csrf-token'] as string | undefined)) {
        throw new AppError(
          'auth.csrf',
          'send the csrfToken from login or /auth/me in the X-CSRF-Token header',
        );
      }
    }
    if (!access.roles.includes(p.user.role))
      throw new AppError(
        'auth.forbidden',
        `role ${p.user.role} may not ${request.method} ${request.routeOptions.url}`,
      );
    if (access.tenantScoped && isClientRole(p.user.role)) {
      const tenantId = (request.params as { tenantId?: string }).tenantId;
      if (tenantId !== p.user.tenantId) throw new AppError('auth.wrong_tenant');
    }
  };
}

async function authenticate(
  auth: AuthService,
  request: FastifyRequest,
): Promise<Principal | undefined> {
  const header = request.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const p = m ? await auth.authenticateToken(m[1]!) : undefined;
    if (!p) throw new AppError('auth.token_invalid');
    return p;
  }
  const cookie = request.cookies?.[sessionCookie];
  return cookie ? auth.authenticateSession(cookie) : undefined;
}

/** The audit actor for a request. */
export function actorOf(request: FastifyRequest): Actor {
  const p = request.principal;
  if (!p) throw new AppError('auth.unauthenticated');
  return {
    userId: p.user.id,
    label: p.user.email,
    via: p.via,
    role: p.user.role,
    tenantId: p.user.tenantId,
    ip: request.ip,
  };
}

export function principalOf(request: FastifyRequest): Principal {
  const p = request.principal;
  if (!p) throw new AppError('auth.unauthenticated');
  return p;
}

/** For list routes without :tenantId — client roles see only their own tenant. */
export function ownTenantOnly(request: FastifyRequest): string | undefined {
  const p = principalOf(request);
  return isClientRole(p.user.role) ? p.user.tenantId! : undefined;
}
