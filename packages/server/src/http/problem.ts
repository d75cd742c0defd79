/**
 * Errors at the HTTP edge as problem+json (RFC 9457): `type` names the stable code,
 * `code` repeats it for clients that match on a field, `errors` lists field problems.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode, errorCatalogue, type FieldError } from '../errors.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
}

export function problemOf(code: ErrorCode, detail?: string, errors?: FieldError[]): Problem {
  const { status, title } = errorCatalogue[code];
  return {
    type: `urn:uketsuke:problem:${code}`,
    title,
    status,
    code,
    ...(detail ? { detail } : {}),
    ...(errors?.length ? { errors } : {}),
  };
}

export function sendProblem(
  reply: FastifyReply,
  problem: Problem,
  headers?: Record<string, string>,
): FastifyReply {
  if (headers) reply.headers(headers);
  return reply.code(problem.status).type('application/problem+json').send(problem);
}

/** Maps anything thrown by a handler, hook or Fastify itself to a problem response. */
export function errorHandler(
  err: FastifyError | AppError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (err instanceof AppError) {
    return sendProblem(
      reply,
      { ...problemOf(err.code, err.detail, err.errors), instance: request.url },
      err.headers,
    );
  }
  const fe = err as FastifyError;
  if (fe.validation) {
    const errors = fe.validation.map((v) => ({
      path: `${fe.validationContext ?? 'body'}${v.instancePath || ''}${
        v.keyword === 'required'
          ? `/${(v.params as { missingProperty?: string }).missingProperty}`
          : ''
      }${v.keyword === 'additionalProperties' ? `/${(v.params as { additionalProperty?: string }).additionalProperty}` : ''}`,
      message:
        v.keyword === 'additionalProperties' ? 'is not a known field' : (v.message ?? 'is invalid'),
    }));
    return sendProblem(
      reply,
      problemOf('request.invalid', errors.map((e) => `${e.path} ${e.message}`).join('; '), errors),
    );
  }
  if (fe.statusCode === 413) return sendProblem(reply, problemOf('request.too_large', fe.message));
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Fastify's own client errors: bad JSON, wrong content type, empty body…
    return sendProblem(reply, {
      ...problemOf('request.invalid', fe.message),
      status: fe.statusCode,
    });
  }
  request.log.error({ err }, 'unhandled error');
  return sendProblem(reply, problemOf('internal'));
}
