/**
 * The one catalogue of application error codes. Services throw `AppError` with a code from
 * here; only the HTTP edge (http/problem.ts) turns them into problem+json responses
 * (RFC 9457), and later the SIP edge into SIP statuses. Codes are stable API: clients
 * match on `code`, never on `title` or `detail`.
 */
export const errorCatalogue = {
  'request.invalid': { status: 400, title: 'The request is not valid' },
  'request.not_found': { status: 404, title: 'No such route' },
  'request.too_large': { status: 413, title: 'The request body is too large' },
  'request.media_type': { status: 415, title: 'The request body has the wrong content type' },
  'auth.unauthenticated': { status: 401, title: 'Log in first' },
  'auth.invalid_credentials': { status: 401, title: 'Wrong e-mail or password' },
  'auth.throttled': { status: 429, title: 'Too many failed logins; wait before trying again' },
  'auth.csrf': { status: 403, title: 'Missing or wrong CSRF token' },
  'auth.forbidden': { status: 403, title: 'Your role may not do this' },
  'auth.field_forbidden': { status: 403, title: 'Your role may not change this field' },
  'auth.wrong_tenant': { status: 403, title: 'This belongs to another client company' },
  'auth.token_invalid': { status: 401, title: 'The API token is invalid, revoked or expired' },
  'validation.email_invalid': { status: 422, title: 'Not a valid e-mail address' },
  'validation.phone_invalid': { status: 422, title: 'Not a valid phone number' },
  'validation.sip_uri_invalid': { status: 422, title: 'Not a valid SIP URI' },
  'validation.date_range': { status: 422, title: 'The end is before the start' },
  'validation.password_weak': { status: 422, title: 'The password is too short' },
  'tenant.not_found': { status: 404, title: 'No such client company' },
  'tenant.transition_invalid': {
    status: 409,
    title: 'The client company cannot move to that state',
  },
  'tenant.cancelled': { status: 409, title: 'The client company is cancelled' },
  'tenant.report_channel_invalid': {
    status: 422,
    title: 'The report channel settings are not valid',
  },
  'staff.not_found': { status: 404, title: 'No such staff member' },
  'staff.order_mismatch': {
    status: 422,
    title: 'The order must list every staff member exactly once',
  },
  'absence.not_found': { status: 404, title: 'No such absence' },
  'number.not_found': { status: 404, title: 'No such number' },
  'number.duplicate': { status: 409, title: 'That number is already registered' },
  'number.kind_mismatch': { status: 422, title: 'That kind does not fit the number' },
  'number.already_assigned': { status: 409, title: 'The number is already lent to a client' },
  'number.not_assigned': { status: 409, title: 'The number is not lent to anyone' },
  'number.quarantined': { status: 409, title: 'The number is in quarantine' },
  'number.usage_mode_fixed': { status: 409, title: 'A lent number has exactly one usage mode' },
  'number.lent_cannot_originate': { status: 422, title: 'A lent number can never place calls' },
  'number.destination_required': { status: 422, title: 'This usage needs a destination' },
  'number.destination_not_allowed': {
    status: 422,
    title: 'Announcement-only numbers have no destination',
  },
  'plan.not_found': { status: 404, title: 'No such plan' },
  'plan.duplicate': { status: 409, title: 'A plan with that code exists' },
  'plan.option_not_found': { status: 404, title: 'No such option' },
  'plan.faq_over_limit': {
    status: 409,
    title: 'The tenant has more FAQ items than that plan allows',
  },
  'faq.not_found': { status: 404, title: 'No such FAQ item' },
  'faq.plan_limit': { status: 422, title: "The plan's FAQ limit is reached" },
  'user.not_found': { status: 404, title: 'No such user' },
  'user.duplicate_email': { status: 409, title: 'A user with that e-mail exists' },
  'user.tenant_required': {
    status: 422,
    title: 'Client roles belong to exactly one client company',
  },
  'user.tenant_not_allowed': {
    status: 422,
    title: 'Service roles do not belong to a client company',
  },
  'user.last_admin': { status: 409, title: 'The last service admin cannot be removed' },
  'token.not_found': { status: 404, title: 'No such API token' },
  'flow.invalid': { status: 422, title: 'The call flow is not valid' },
  'flow.not_found': { status: 404, title: 'No such call flow' },
  'flow.wrong_tenant': { status: 422, title: 'The call flow belongs to another client company' },
  'block.not_found': { status: 404, title: 'No such block-list entry' },
  'block.duplicate': { status: 409, title: 'That entry is already on the block list' },
  'trunk.not_found': { status: 404, title: 'No such trunk' },
  'trunk.invalid': { status: 422, title: 'The trunk settings are not valid' },
  'callback.not_found': { status: 404, title: 'No such callback task' },
  'callback.invalid': { status: 422, title: 'The callback request is not valid' },
  'call.not_found': { status: 404, title: 'No such call' },
  'tariff.invalid': { status: 422, title: 'The tariff sheet is not valid' },
  'charges.not_rated': { status: 404, title: 'The call has not been rated' },
  'prompt.name_invalid': { status: 422, title: 'That prompt cannot be replaced' },
  'prompt.audio_invalid': { status: 422, title: 'The recording cannot be used' },
  'prompt.not_found': { status: 404, title: 'No such uploaded prompt' },
  'report.not_found': { status: 404, title: 'No such report' },
  'message.not_found': { status: 404, title: 'No such message' },
  'report.recipient_limit': {
    status: 422,
    title: 'More report recipients than the plan and options allow',
  },
  internal: { status: 500, title: 'Internal error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export interface FieldError {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string | undefined;
  readonly errors: FieldError[] | undefined;
  /** Extra response headers (e.g. Retry-After). */
  readonly headers: Record<string, string> | undefined;

  constructor(
    code: ErrorCode,
    detail?: string,
    extra?: { errors?: FieldError[]; headers?: Record<string, string> },
  ) {
    super(detail ? `${code}: ${detail}` : code);
    this.name = 'AppError';
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.detail = detail;
    this.errors = extra?.errors;
    this.headers = extra?.headers;
  }
}
