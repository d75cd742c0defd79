/**
 * Table shapes as Kysely sees them. The same schema runs on SQLite and PostgreSQL, so it
 * sticks to portable types: text ids (UUIDv7), ISO-8601 UTC timestamps as text (they sort
 * correctly as strings), booleans as 0/1 integers, JSON as text. Repositories are the only
 * code that reads these rows; they map them to domain objects.
 */
export interface PlansTable {
  code: string;
  name: string;
  monthly_fee_yen: number;
  /** null = unlimited */
  faq_limit: number | null;
  report_recipients_included: number;
  description: string;
  created_at: string;
  updated_at: string;
}

export interface PlanOptionsTable {
  code: string;
  name: string;
  monthly_fee_yen: number;
  description: string;
}

export interface TenantsTable {
  id: string;
  name: string;
  name_kana: string;
  address: string;
  industry: string;
  greeting: string;
  operator_alias: string;
  company_info: string;
  handling_manual: string;
  emergency_contact: string; // JSON
  report_channel: string; // JSON
  plan_code: string;
  state: string;
  created_at: string;
  updated_at: string;
  business_hours: string | null; // JSON; null = always open
  anonymous_policy: string;
  urgent_escalation: string | null; // JSON {afterMinutes, target}
  report_wording: string | null; // JSON {intro, closing, subjectPrefix}
}

export interface TenantOptionsTable {
  tenant_id: string;
  option_code: string;
  quantity: number;
}

export interface StaffTable {
  id: string;
  tenant_id: string;
  position: number;
  name: string;
  name_kana: string;
  department: string;
  email: string | null;
  phone: string | null;
  chat_ids: string; // JSON
  report_target: number;
  created_at: string;
  updated_at: string;
}

export interface AbsencesTable {
  id: string;
  tenant_id: string;
  staff_id: string;
  kind: string;
  starts_at: string;
  ends_at: string;
  expected_return_at: string | null;
  note: string;
  created_at: string;
  updated_at: string;
}

export interface PhoneNumbersTable {
  id: string;
  e164: string;
  kind: string;
  state: string;
  tenant_id: string | null;
  usage_mode: string | null;
  purpose: string;
  destination: string | null;
  self_answer: number;
  can_originate: number;
  quarantined_until: string | null;
  note: string;
  created_at: string;
  updated_at: string;
  flow_id: string | null;
}

export interface FaqItemsTable {
  id: string;
  tenant_id: string;
  position: number;
  question: string;
  answer: string;
  created_at: string;
  updated_at: string;
}

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  role: string;
  tenant_id: string | null;
  password_hash: string;
  disabled: number;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

export interface SessionsTable {
  /** SHA-256 of the cookie secret: a stolen database does not yield live sessions. */
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface AuditLogTable {
  id: string;
  at: string;
  actor_user_id: string | null;
  actor_label: string;
  via: string;
  tenant_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string;
  before: string | null;
  after: string | null;
  ip: string | null;
}

export interface CallFlowsTable {
  id: string;
  tenant_id: string;
  name: string;
  current_version: number;
  created_at: string;
  updated_at: string;
}

export interface CallFlowVersionsTable {
  flow_id: string;
  version: number;
  definition: string; // JSON
  created_at: string;
  created_by: string;
}

export interface BlockEntriesTable {
  id: string;
  /** null = the service-wide list */
  tenant_id: string | null;
  kind: string;
  value: string;
  reason: string;
  created_at: string;
}

export interface TrunksTable {
  id: string;
  name: string;
  allowed_sources: string; // JSON list of CIDRs
  dialed_number_from: string;
  caller_id_from: string;
  registration: string | null; // JSON
  outbound: string | null; // JSON {target, numberFormat}
  enabled: number;
  created_at: string;
  updated_at: string;
}

export interface CallbackTasksTable {
  id: string;
  tenant_id: string;
  call_id: string | null;
  callback_number: string;
  window_start: string | null;
  window_end: string | null;
  reason: string;
  source: string;
  status: string;
  note: string;
  created_at: string;
  updated_at: string;
}

export interface CallsTable {
  id: string;
  tenant_id: string | null;
  number_id: string | null;
  trunk_id: string | null;
  sip_call_id: string;
  dialed: string;
  caller: string | null;
  caller_withheld: number;
  offered_at: string;
  answered_at: string | null;
  ended_at: string;
  hangup_by: string;
  sip_status: number | null;
  disposition: string;
  billable: number;
  queue_wait_ms: number | null;
  recording: string | null;
  callback_task_id: string | null;
  flow_id: string | null;
  flow_version: number | null;
  rtp_stats: string | null; // JSON
  trace: string; // JSON list of lines
  handling_status: string;
}

export interface CallLegsTable {
  id: string;
  call_id: string;
  kind: string;
  peer: string;
  started_at: string;
  answered_at: string | null;
  ended_at: string | null;
  outcome: string;
  rtp_stats: string | null;
  sip_call_id: string | null;
  from_number: string | null;
  to_number: string | null;
  hangup_by: string | null;
  sip_status: number | null;
}

/** A carrier tariff (domain/rating.ts). */
export interface TariffsTable {
  id: string;
  kind: string;
  peer_class: string;
  unit_seconds: number;
  price_per_unit_sen: number;
  description: string;
  created_at: string;
}

/** What one call cost the client, as rated when it ended (domain/rating.ts). */
export interface CallChargesTable {
  call_id: string;
  tenant_id: string;
  call_offered_at: string;
  total_sen: number;
  complete: number;
  lines: string; // JSON ChargeLine[]
  rated_at: string;
}

/** A client's recording replacing a system prompt (services/prompt-service.ts). */
export interface TenantPromptsTable {
  tenant_id: string;
  name: string;
  file: string;
  duration_ms: number;
  sha256: string;
  original_format: string;
  created_at: string;
  updated_at: string;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface ReportsTable {
  id: string;
  tenant_id: string;
  call_id: string | null;
  source: string;
  source_id: string;
  channel: string;
  content: string; // JSON
  named_staff_id: string | null;
  private: number;
  created_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  escalated_at: string | null;
  urgent: number;
}

export interface ReportDeliveriesTable {
  id: string;
  report_id: string;
  tenant_id: string;
  channel: string;
  recipient: string;
  message_id: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  lease_until: string | null;
  last_error: string | null;
  sent_at: string | null;
  created_at: string;
  updated_at: string;
  purpose: string;
}

export interface MessagesTable {
  id: string;
  tenant_id: string;
  call_id: string | null;
  number_id: string | null;
  caller_company: string;
  caller_name: string;
  caller_number: string | null;
  callback_number: string | null;
  callback_window_start: string | null;
  callback_window_end: string | null;
  purpose: string;
  named_staff_id: string | null;
  urgent: number;
  complaint: number;
  notes: string;
  operator_alias: string;
  taken_by: string;
  created_at: string;
}

export interface Database {
  plans: PlansTable;
  plan_options: PlanOptionsTable;
  tenants: TenantsTable;
  tenant_options: TenantOptionsTable;
  staff: StaffTable;
  absences: AbsencesTable;
  phone_numbers: PhoneNumbersTable;
  faq_items: FaqItemsTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  call_flows: CallFlowsTable;
  call_flow_versions: CallFlowVersionsTable;
  block_entries: BlockEntriesTable;
  trunks: TrunksTable;
  callback_tasks: CallbackTasksTable;
  calls: CallsTable;
  call_legs: CallLegsTable;
  tariffs: TariffsTable;
  call_charges: CallChargesTable;
  tenant_prompts: TenantPromptsTable;
  settings: SettingsTable;
  reports: ReportsTable;
  report_deliveries: ReportDeliveriesTable;
  messages: MessagesTable;
}
