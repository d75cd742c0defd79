/**
 * The API contract as JSON Schema (TypeBox). Request bodies reject unknown fields, so a
 * misspelt or smuggled field (say `usageModes: [...]`) is a 400, never silently dropped.
 * Response schemas double as the serialiser's whitelist: nothing else leaves the server.
 */
import { Type } from 'typebox';
import { BusinessHoursSchema } from '../domain/call-flow/verbs.ts';
import { absenceKinds } from '../repositories/staff-repository.ts';
import { anonymousPolicies } from '../repositories/tenant-repository.ts';
import { numberKinds } from '../domain/phone-number.ts';
import { numberStates, usageModes } from '../domain/phone-number-state.ts';
import { reportChannelKinds } from '../domain/report-channel.ts';
import { roles } from '../domain/roles.ts';
import { tenantStates } from '../domain/tenant-lifecycle.ts';

export const strict = { additionalProperties: false } as const;
export const literals = <T extends readonly string[]>(values: T) =>
  Type.Union(values.map((v) => Type.Literal(v)));
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
export const Timestamp = Type.String({ description: 'ISO-8601 UTC' });
export const Text = (max: number) => Type.String({ maxLength: max });
export const Name = Type.String({ minLength: 1, maxLength: 200 });

export const TenantStateSchema = literals(tenantStates);
export const RoleSchema = literals(roles);
export const UsageModeSchema = literals(usageModes);
export const NumberKindSchema = literals(numberKinds);
export const NumberStateSchema = literals(numberStates);

export const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  code: Type.String(),
  detail: Type.Optional(Type.String()),
  instance: Type.Optional(Type.String()),
  errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
});

// --- tenants ---

const ReportWordingSchema = Type.Object(
  {
    intro: Type.Optional(Text(400)),
    closing: Type.Optional(Text(1000)),
    subjectPrefix: Type.Optional(Text(60)),
  },
  { additionalProperties: false },
);
const UrgentEscalationSchema = Type.Object(
  {
    afterMinutes: Type.Integer({ minimum: 1, maximum: 1440 }),
    target: literals(['next_in_roster', 'emergency_contact'] as const),
  },
  { additionalProperties: false },
);

const EmergencyContactIn = Type.Object(
  {
    name: Name,
    phone: Type.Optional(Nullable(Text(40))),
    email: Type.Optional(Nullable(Text(254))),
  },
  strict,
);
const EmergencyContactOut = Type.Object({
  name: Type.String(),
  phone: Nullable(Type.String()),
  email: Nullable(Type.String()),
});

/** Shape only; domain/report-channel.ts checks the fields for each kind. */
const ReportChannelIn = Type.Object(
  {
    kind: literals(reportChannelKinds),
    mode: Type.Optional(literals(['named', 'fixed'] as const)),
    fixedRecipients: Type.Optional(Type.Array(Text(254), { maxItems: 50 })),
    roomId: Type.Optional(Text(20)),
    webhookUrl: Type.Optional(Text(2000)),
    url: Type.Optional(Text(2000)),
    fallbackEmail: Type.Optional(Text(254)),
  },
  strict,
);
const ReportChannelOut = Type.Object({
  kind: Type.String(),
  mode: Type.Optional(Type.String()),
  fixedRecipients: Type.Optional(Type.Array(Type.String())),
  roomId: Type.Optional(Type.String()),
  webhookUrl: Type.Optional(Type.String()),
  url: Type.Optional(Type.String()),
  fallbackEmail: Type.Optional(Type.String()),
});

const tenantFields = {
  name: Name,
  nameKana: Name,
  address: Type.Optional(Text(500)),
  industry: Type.Optional(Text(200)),
  greeting: Type.Optional(Text(1000)),
  operatorAlias: Type.Optional(Text(100)),
  companyInfo: Type.Optional(Text(20_000)),
  handlingManual: Type.Optional(Text(50_000)),
  emergencyContact: Type.Optional(Nullable(EmergencyContactIn)),
  reportChannel: Type.Optional(ReportChannelIn),
  planCode: Type.Optional(Text(50)),
  businessHours: Type.Optional(Nullable(BusinessHoursSchema)),
  anonymousPolicy: Type.Optional(literals(anonymousPolicies)),
  urgentEscalation: Type.Optional(Nullable(UrgentEscalationSchema)),
  reportWording: Type.Optional(Nullable(ReportWordingSchema)),
};
export const TenantCreate = Type.Object(tenantFields, strict);
export const TenantPatch = Type.Partial(Type.Object(tenantFields, strict));

export const Tenant = Type.Object({
  id: Type.String(),
  name: Type.String(),
  nameKana: Type.String(),
  address: Type.String(),
  industry: Type.String(),
  greeting: Type.String(),
  operatorAlias: Type.String(),
  companyInfo: Type.String(),
  handlingManual: Type.String(),
  emergencyContact: Nullable(EmergencyContactOut),
  reportChannel: ReportChannelOut,
  planCode: Type.String(),
  state: Type.String(),
  businessHours: Nullable(BusinessHoursSchema),
  anonymousPolicy: Type.String(),
  urgentEscalation: Nullable(UrgentEscalationSchema),
  reportWording: Nullable(ReportWordingSchema),
  options: Type.Array(Type.Object({ code: Type.String(), quantity: Type.Integer() })),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export const TenantList = Type.Object({
  items: Type.Array(Type.Omit(Tenant, ['options'])),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
});

// --- staff & absences ---

const staffFields = {
  name: Name,
  nameKana: Type.Optional(Text(200)),
  department: Type.Optional(Text(200)),
  email: Type.Optional(Nullable(Text(254))),
  phone: Type.Optional(Nullable(Text(40))),
  chatIds: Type.Optional(Type.Record(Type.String(), Text(200))),
  reportTarget: Type.Optional(Type.Boolean()),
};
export const StaffCreate = Type.Object(staffFields, strict);
export const StaffPatch = Type.Partial(Type.Object(staffFields, strict));
export const Staff = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  position: Type.Integer(),
  name: Type.String(),
  nameKana: Type.String(),
  department: Type.String(),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  chatIds: Type.Record(Type.String(), Type.String()),
  reportTarget: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export const StaffOrder = Type.Object({ ids: Type.Array(Id, { maxItems: 1000 }) }, strict);

const absenceFields = {
  kind: Type.Optional(literals(absenceKinds)),
  startsAt: Text(40),
  endsAt: Text(40),
  expectedReturnAt: Type.Optional(Nullable(Text(40))),
  note: Type.Optional(Text(1000)),
};
export const AbsenceCreate = Type.Object(absenceFields, strict);
export const AbsencePatch = Type.Partial(Type.Object(absenceFields, strict));
export const Absence = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  staffId: Type.String(),
  kind: Type.String(),
  startsAt: Timestamp,
  endsAt: Timestamp,
  expectedReturnAt: Nullable(Timestamp),
  note: Type.String(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

// --- numbers ---

export const NumberCreate = Type.Object(
  {
    number: Type.String({
      minLength: 1,
      maxLength: 40,
      description: 'national (0120-959-002) or E.164 (+81120959002)',
    }),
    kind: Type.Optional(NumberKindSchema),
    purpose: Type.Optional(Text(200)),
    note: Type.Optional(Text(1000)),
    canOriginate: Type.Optional(Type.Boolean()),
  },
  strict,
);
export const NumberPatch = Type.Object(
  {
    kind: Type.Optional(NumberKindSchema),
    purpose: Type.Optional(Text(200)),
    note: Type.Optional(Text(1000)),
    destination: Type.Optional(Nullable(Text(300))),
    canOriginate: Type.Optional(Type.Boolean()),
    usageMode: Type.Optional(UsageModeSchema),
    flowId: Type.Optional(Nullable(Id)),
  },
  strict,
);
export const NumberAssign = Type.Object(
  {
    tenantId: Id,
    usageMode: UsageModeSchema,
    purpose: Type.Optional(Text(200)),
    destination: Type.Optional(Nullable(Text(300))),
  },
  strict,
);
export const PhoneNumber = Type.Object({
  id: Type.String(),
  e164: Type.String(),
  display: Type.String(),
  kind: Type.String(),
  state: Type.String(),
  tenantId: Nullable(Type.String()),
  usageMode: Nullable(Type.String()),
  purpose: Type.String(),
  destination: Nullable(Type.String()),
  selfAnswer: Type.Boolean(),
  canOriginate: Type.Boolean(),
  quarantinedUntil: Nullable(Timestamp),
  note: Type.String(),
  flowId: Nullable(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

// --- plans & FAQ ---

const planFields = {
  name: Name,
  monthlyFeeYen: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
  faqLimit: Nullable(Type.Integer({ minimum: 0, maximum: 100_000 })),
  reportRecipientsIncluded: Type.Integer({ minimum: 0, maximum: 100 }),
  description: Type.Optional(Text(2000)),
};
export const PlanCreate = Type.Object(
  { code: Type.String({ pattern: '^[a-z0-9_]{2,50}$' }), ...planFields },
  strict,
);
export const PlanPatch = Type.Partial(Type.Object(planFields, strict));
export const Plan = Type.Object({
  code: Type.String(),
  name: Type.String(),
  monthlyFeeYen: Type.Integer(),
  faqLimit: Nullable(Type.Integer()),
  reportRecipientsIncluded: Type.Integer(),
  description: Type.String(),
});
export const PlanOption = Type.Object({
  code: Type.String(),
  name: Type.String(),
  monthlyFeeYen: Type.Integer(),
  description: Type.String(),
});

const faqFields = {
  question: Type.String({ minLength: 1, maxLength: 2000 }),
  answer: Type.String({ minLength: 1, maxLength: 20_000 }),
  position: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
};
export const FaqCreate = Type.Object(faqFields, strict);
export const FaqPatch = Type.Partial(Type.Object(faqFields, strict));
export const FaqItem = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  position: Type.Integer(),
  question: Type.String(),
  answer: Type.String(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

// --- users, auth, tokens, audit ---

export const User = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: Type.String(),
  tenantId: Nullable(Type.String()),
  disabled: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  lastLoginAt: Nullable(Timestamp),
});
const Password = Type.String({ minLength: 1, maxLength: 200 });
export const UserCreate = Type.Object(
  {
    email: Text(254),
    name: Name,
    role: RoleSchema,
    tenantId: Type.Optional(Nullable(Id)),
    password: Password,
  },
  strict,
);
export const TenantUserCreate = Type.Object(
  {
    email: Text(254),
    name: Name,
    role: literals(['client_admin', 'client_user'] as const),
    password: Password,
  },
  strict,
);
export const UserPatch = Type.Object(
  {
    email: Type.Optional(Text(254)),
    name: Type.Optional(Name),
    role: Type.Optional(RoleSchema),
    disabled: Type.Optional(Type.Boolean()),
    password: Type.Optional(Password),
  },
  strict,
);
export const TenantUserPatch = Type.Object(
  {
    email: Type.Optional(Text(254)),
    name: Type.Optional(Name),
    role: Type.Optional(literals(['client_admin', 'client_user'] as const)),
    disabled: Type.Optional(Type.Boolean()),
    password: Type.Optional(Password),
  },
  strict,
);
export const Login = Type.Object({ email: Text(254), password: Password }, strict);
export const Session = Type.Object({ user: User, csrfToken: Type.Optional(Type.String()) });
export const PasswordChange = Type.Object(
  { currentPassword: Password, newPassword: Password },
  strict,
);
export const ApiToken = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Timestamp,
  expiresAt: Nullable(Timestamp),
  lastUsedAt: Nullable(Timestamp),
  revokedAt: Nullable(Timestamp),
});
export const ApiTokenCreate = Type.Object(
  { name: Name, expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })) },
  strict,
);
export const AuditEntry = Type.Object({
  id: Type.String(),
  at: Timestamp,
  actorUserId: Nullable(Type.String()),
  actorLabel: Type.String(),
  via: Type.String(),
  tenantId: Nullable(Type.String()),
  action: Type.String(),
  entityType: Type.String(),
  entityId: Type.String(),
  before: Type.Unknown(),
  after: Type.Unknown(),
  ip: Nullable(Type.String()),
});

export const Paging = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  },
  strict,
);
