// The one description of every HTTP route (app/api/**/route.ts) that GET /api/openapi.json is
// built from: path, methods, the role each needs, and the zod schemas the route itself parses
// with and answers in. tests/unit/openapi-coverage.test.ts fails when a route file or one of its
// methods has no entry here, or an entry names a route that does not exist.
import { z } from 'zod';
import type { ErrorCode } from '@/lib/api/errors';
import { auditPageSchema, auditQuerySchema } from '@/lib/schemas/audit';
import { auditExportQuerySchema, deadLetterExportQuerySchema } from '@/lib/schemas/export';
import { bulkCreatedResponseSchema, bulkDryRunResponseSchema, bulkJobSchema, bulkRequestSchema, bulkTransformDryRunResponseSchema } from '@/lib/schemas/bulk';
import { deadLetterDetailSchema, deadLetterFilterSchema, deadLetterListQuerySchema, deadLetterListSchema, facetsSchema } from '@/lib/schemas/dead-letters';
import { addGroupNoteSchema, changeGroupSchema, groupDetailSchema, groupListQuerySchema, groupListSchema, groupNoteSchema } from '@/lib/schemas/groups';
import { healthSchema } from '@/lib/schemas/health';
import { queuesSchema } from '@/lib/schemas/queues';
import { processesSchema } from '@/lib/schemas/processes';
import {
  contractViolationDetailsSchema,
  discardRequestSchema,
  republishRequestSchema,
  republishResponseSchema,
  restoreRequestSchema,
  retryUnreadableRequestSchema,
  retryUnreadableResponseSchema,
  statusChangeResponseSchema,
} from '@/lib/schemas/republish';
import { uuidText } from '@/lib/schemas/safe-input';
import { summarySchema, throughputQuerySchema, throughputSchema } from '@/lib/schemas/stats';
import {
  channelListSchema,
  channelSchema,
  createChannelSchema,
  createdChannelSchema,
  deliveriesQuerySchema,
  deliveryListSchema,
  testQueuedSchema,
  updateChannelSchema,
} from '@/lib/schemas/notifications';
import { apiTokenListSchema, apiTokenSchema, createdTokenSchema, createTokenSchema } from '@/lib/schemas/tokens';
import { assignableUserListSchema, createUserSchema, meSchema, updateUserSchema, userListSchema, userWriteResultSchema, type Role } from '@/lib/schemas/users';

/**
 * Who may call: a role (each includes the ones below it), anyone (`public`), anyone unless
 * METRICS_TOKEN is set (`metrics-token`), or next-auth's own endpoints (`next-auth`).
 */
export type Access = Role | 'public' | 'metrics-token' | 'next-auth';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Response and body schemas, by the name they have under components.schemas. */
export const namedSchemas = {
  DeadLetterList: deadLetterListSchema,
  DeadLetterDetail: deadLetterDetailSchema,
  Facets: facetsSchema,
  RepublishRequest: republishRequestSchema,
  RepublishResponse: republishResponseSchema,
  DiscardRequest: discardRequestSchema,
  RestoreRequest: restoreRequestSchema,
  RetryUnreadableRequest: retryUnreadableRequestSchema,
  RetryUnreadableResponse: retryUnreadableResponseSchema,
  StatusChange: statusChangeResponseSchema,
  ContractViolationDetails: contractViolationDetailsSchema,
  GroupList: groupListSchema,
  GroupDetail: groupDetailSchema,
  ChangeGroupRequest: changeGroupSchema,
  AddGroupNoteRequest: addGroupNoteSchema,
  GroupNote: groupNoteSchema,
  BulkRequest: bulkRequestSchema,
  BulkDryRunResponse: bulkDryRunResponseSchema,
  BulkTransformDryRunResponse: bulkTransformDryRunResponseSchema,
  BulkCreatedResponse: bulkCreatedResponseSchema,
  BulkJob: bulkJobSchema,
  DeadLetterFilter: deadLetterFilterSchema,
  Throughput: throughputSchema,
  Summary: summarySchema,
  Queues: queuesSchema,
  Processes: processesSchema,
  Health: healthSchema,
  AuditPage: auditPageSchema,
  Me: meSchema,
  UserList: userListSchema,
  AssignableUserList: assignableUserListSchema,
  CreateUserRequest: createUserSchema,
  UpdateUserRequest: updateUserSchema,
  UserWriteResult: userWriteResultSchema,
  ApiTokenList: apiTokenListSchema,
  ApiToken: apiTokenSchema,
  CreateTokenRequest: createTokenSchema,
  CreatedToken: createdTokenSchema,
  NotificationChannelList: channelListSchema,
  NotificationChannel: channelSchema,
  CreateNotificationChannelRequest: createChannelSchema,
  UpdateNotificationChannelRequest: updateChannelSchema,
  CreatedNotificationChannel: createdChannelSchema,
  NotificationDeliveryList: deliveryListSchema,
  NotificationTestQueued: testQueuedSchema,
} satisfies Record<string, z.ZodType>;
export type SchemaName = keyof typeof namedSchemas;

export interface ResponseSpec {
  description: string;
  /** a JSON body of this shape; absent: described in words only */
  schema?: SchemaName;
  /** more than one shape (oneOf) */
  oneOf?: SchemaName[];
  /** default application/json; several: the same answer in each (an export's formats) */
  contentType?: string | string[];
}

export interface OperationSpec {
  method: HttpMethod;
  summary: string;
  description?: string;
  tag: Tag;
  access: Access;
  /** what needs more than `access` (e.g. force: admin) */
  accessNote?: string;
  /** the query schema the route parses (parseQuery): each property becomes a query parameter */
  query?: z.ZodObject | z.ZodType;
  body?: { schema: SchemaName; required: boolean };
  responses: Record<number, ResponseSpec>;
  /**
   * Errors this operation gives beyond those every route of its kind gives (the builder adds
   * 401/403 for a role, 400 for a query, 400/408/413/415 for a body, 500/503 for every route).
   */
  errors?: Partial<Record<ErrorCode, string>>;
}

export interface RouteSpec {
  /** OpenAPI path template: app/api/dead-letters/[id]/route.ts -> /api/dead-letters/{id} */
  path: string;
  params?: Record<string, { schema: z.ZodType; description: string }>;
  operations: OperationSpec[];
}

export const TAGS = {
  'Dead letters': 'Stored dead letters: list, facets, detail, and the actions on one',
  Bulk: 'Bulk republish / discard jobs over a selection',
  Groups: 'Failure groups (same event type, queue, reason and normalised error)',
  Monitoring: 'Throughput, per-type summary, queues, health and Prometheus metrics',
  Audit: 'The audit log of every operator action',
  Access: 'Who is calling, users and API tokens',
  Notifications: 'Notification channels (webhook, Slack) and their deliveries',
  Meta: 'This description of the API',
  Auth: "next-auth's sign-in endpoints",
} as const;
export type Tag = keyof typeof TAGS;

const deadLetterId = { id: { schema: uuidText, description: 'dead letter id (UUID); anything else is a 404' } };
const bulkJobId = { id: { schema: uuidText, description: 'bulk job id (UUID); anything else is a 404' } };

const bulkControl = (verb: 'pause' | 'resume' | 'cancel', from: string): RouteSpec => ({
  path: `/api/bulk/{id}/${verb}`,
  params: bulkJobId,
  operations: [
    {
      method: 'POST',
      summary: `${verb[0].toUpperCase()}${verb.slice(1)} a bulk job`,
      description: `Allowed from ${from}. No fields: no body (or {}); a field in it is a 400.`,
      tag: 'Bulk',
      access: 'operator',
      responses: { 200: { description: 'the job after the change', schema: 'BulkJob' } },
      errors: { not_found: 'no such job', conflict: `the job is not ${from}`, invalid_request: 'a field in the body' },
    },
  ],
});

/** THE registry: one entry per route file, one operation per exported method. */
export const apiRoutes: RouteSpec[] = [
  {
    path: '/api/dead-letters',
    operations: [
      {
        method: 'GET',
        summary: 'List dead letters',
        description:
          "Filtered, keyset-paged, newest first. Fields in MASK_FIELDS are masked for viewers; a viewer's search (q) matches only what viewers are shown, and a viewer's filter by a value viewers are shown masked (an email address as correlationId) is refused (400).",
        tag: 'Dead letters',
        access: 'viewer',
        query: deadLetterListQuerySchema,
        responses: { 200: { description: 'a page of dead letters', schema: 'DeadLetterList' } },
      },
    ],
  },
  {
    path: '/api/dead-letters/facets',
    operations: [
      {
        method: 'GET',
        summary: 'Counts beside each filter value',
        description: 'Takes the same filters as the list.',
        tag: 'Dead letters',
        access: 'viewer',
        query: deadLetterFilterSchema,
        responses: { 200: { description: 'counts per event type, queue, reason, status and validity', schema: 'Facets' } },
      },
    ],
  },
  {
    path: '/api/dead-letters/export',
    operations: [
      {
        method: 'GET',
        summary: 'Export dead letters as CSV or NDJSON',
        description:
          "Every dead letter the list's filters select, newest first, streamed as an attachment (dead-letters-<UTC time>.csv|ndjson): the list's row fields, one CSV record (RFC 4180, a text starting with = + - @ TAB or CR prefixed with ') or one JSON object per line. Masked for viewers as the list is.",
        tag: 'Dead letters',
        access: 'viewer',
        query: deadLetterExportQuerySchema,
        responses: { 200: { description: 'the file, streamed', contentType: ['text/csv', 'application/x-ndjson'] } },
      },
    ],
  },
  {
    path: '/api/dead-letters/{id}',
    params: { id: { schema: z.string(), description: 'dead letter id (UUID)' } },
    operations: [
      {
        method: 'GET',
        summary: 'One dead letter',
        description: 'The message as received (body, properties, headers), its deaths, contract validation and history.',
        tag: 'Dead letters',
        access: 'viewer',
        responses: { 200: { description: 'the dead letter', schema: 'DeadLetterDetail' } },
        errors: { not_found: 'no such dead letter' },
      },
    ],
  },
  {
    path: '/api/dead-letters/{id}/republish',
    params: deadLetterId,
    operations: [
      {
        method: 'POST',
        summary: 'Republish one dead letter',
        description: 'Unchanged, or with an edited body, to the queue it died in or another target. A failed call changes nothing.',
        tag: 'Dead letters',
        access: 'operator',
        accessNote: 'force: admin',
        body: { schema: 'RepublishRequest', required: true },
        responses: { 200: { description: 'published and confirmed by the broker', schema: 'RepublishResponse' } },
        errors: {
          invalid_request: 'a target this install refuses (its DLQ, ledger, amq.*)',
          forbidden: 'force without the admin role',
          not_found: 'no such dead letter',
          conflict: 'not pending, already in flight, or over MAX_RETRIES without force',
          contract_violation: 'the edited body breaks its contract (violations in details)',
          unavailable: 'the broker is down or did not confirm',
        },
      },
    ],
  },
  {
    path: '/api/dead-letters/{id}/discard',
    params: deadLetterId,
    operations: [
      {
        method: 'POST',
        summary: 'Discard one dead letter',
        description: 'Marks it discarded (nothing is deleted); restore undoes it.',
        tag: 'Dead letters',
        access: 'operator',
        body: { schema: 'DiscardRequest', required: true },
        responses: { 200: { description: 'the new status', schema: 'StatusChange' } },
        errors: { not_found: 'no such dead letter', conflict: 'not pending' },
      },
    ],
  },
  {
    path: '/api/dead-letters/{id}/retry',
    params: deadLetterId,
    operations: [
      {
        method: 'POST',
        summary: 'Retry storing an unreadable (parked) dead letter',
        description:
          "Runs the drain's prepare and store again on the parked message's bytes. Stored: a new pending record replaces the unreadable one (its history moves over). The parked copy stays in eventdesk.parked.<DLQ>. The body is optional.",
        tag: 'Dead letters',
        access: 'operator',
        body: { schema: 'RetryUnreadableRequest', required: false },
        responses: { 200: { description: 'the new record', schema: 'RetryUnreadableResponse' } },
        errors: { not_found: 'no such dead letter', conflict: 'not unreadable', unprocessable: 'still cannot be stored (the reason in the message)' },
      },
    ],
  },
  {
    path: '/api/dead-letters/{id}/restore',
    params: deadLetterId,
    operations: [
      {
        method: 'POST',
        summary: 'Restore a discarded dead letter',
        description: 'Back to pending. The body is optional.',
        tag: 'Dead letters',
        access: 'operator',
        body: { schema: 'RestoreRequest', required: false },
        responses: { 200: { description: 'the new status', schema: 'StatusChange' } },
        errors: { not_found: 'no such dead letter', conflict: 'not discarded' },
      },
    ],
  },
  {
    path: '/api/bulk',
    operations: [
      {
        method: 'POST',
        summary: 'Start (or dry-run) a bulk republish or discard',
        description:
          'A dry run answers the count and a sample; with a transform, the transform applied to the whole selection (counts by outcome and up to 20 samples with diffs and contract checks). Otherwise 202 with the job id, and the background runner works at ratePerSecond, from startAt when given (the job is scheduled until then). Only pending dead letters are selected: selection.filter.status, when given, must be pending (400 otherwise).',
        tag: 'Bulk',
        access: 'operator',
        accessNote: 'force: admin',
        body: { schema: 'BulkRequest', required: true },
        responses: {
          200: {
            description: 'dry run: what the selection holds (with a transform: what it would do)',
            oneOf: ['BulkDryRunResponse', 'BulkTransformDryRunResponse'],
          },
          202: { description: 'the job was created', schema: 'BulkCreatedResponse' },
        },
        errors: {
          forbidden: 'force without the admin role',
          conflict: 'nothing pending matches, or expectedCount is missing / differs for a large selection',
          unprocessable: 'the patch or JSONata expression does not parse, or the expression runs past its time on a message',
        },
      },
    ],
  },
  {
    path: '/api/bulk/{id}',
    params: bulkJobId,
    operations: [
      {
        method: 'GET',
        summary: 'Status and progress of a bulk job',
        tag: 'Bulk',
        access: 'viewer',
        responses: { 200: { description: 'the job', schema: 'BulkJob' } },
        errors: { not_found: 'no such job' },
      },
    ],
  },
  bulkControl('pause', 'queued or running'),
  bulkControl('resume', 'paused'),
  bulkControl('cancel', 'scheduled, queued, running or paused'),
  {
    path: '/api/groups',
    operations: [
      {
        method: 'GET',
        summary: 'Failure groups',
        description: 'With rollup counts and a 24-hour sparkline.',
        tag: 'Groups',
        access: 'viewer',
        query: groupListQuerySchema,
        responses: { 200: { description: 'the groups', schema: 'GroupList' } },
      },
    ],
  },
  {
    path: '/api/groups/{id}',
    params: { id: { schema: z.string(), description: 'failure group id' } },
    operations: [
      {
        method: 'GET',
        summary: 'One failure group with notes and history',
        description: 'The list fields, deaths per 6 hours over 7 days, notes (oldest first) and history (newest first).',
        tag: 'Groups',
        access: 'viewer',
        responses: { 200: { description: 'the group', schema: 'GroupDetail' } },
        errors: { not_found: 'no such group' },
      },
      {
        method: 'PATCH',
        summary: 'Acknowledge, snooze, resolve or reopen a group, or (un)assign it',
        description:
          'Transitions: open -> acknowledged|snoozed|resolved; acknowledged -> open|snoozed|resolved; snoozed -> open|acknowledged|snoozed|resolved; resolved -> open. snoozed needs snoozedUntil (future, at most 90 days). assigneeId: a user id, "me" or null.',
        tag: 'Groups',
        access: 'operator',
        body: { schema: 'ChangeGroupRequest', required: true },
        responses: { 200: { description: 'the group after the change', schema: 'GroupDetail' } },
        errors: { not_found: 'no such group', conflict: 'an illegal transition (details: reason illegal-transition, from, to)' },
      },
    ],
  },
  {
    path: '/api/groups/{id}/notes',
    params: { id: { schema: z.string(), description: 'failure group id' } },
    operations: [
      {
        method: 'POST',
        summary: 'Add a note to a group',
        description: 'Markdown, at most 10,000 characters; shown as text.',
        tag: 'Groups',
        access: 'operator',
        body: { schema: 'AddGroupNoteRequest', required: true },
        responses: { 201: { description: 'the note', schema: 'GroupNote' } },
        errors: { not_found: 'no such group' },
      },
    ],
  },
  {
    path: '/api/stats/throughput',
    operations: [
      {
        method: 'GET',
        summary: 'Published and dead-lettered per event type and bucket',
        description: 'Default range: the last hour; at most 31 days.',
        tag: 'Monitoring',
        access: 'viewer',
        query: throughputQuerySchema,
        responses: { 200: { description: 'the series', schema: 'Throughput' } },
      },
    ],
  },
  {
    path: '/api/stats/summary',
    operations: [
      {
        method: 'GET',
        summary: 'Per event type: rate now, last hour, errors, error rate, p95',
        tag: 'Monitoring',
        access: 'viewer',
        responses: { 200: { description: 'the summary', schema: 'Summary' } },
      },
    ],
  },
  {
    path: '/api/queues',
    operations: [
      {
        method: 'GET',
        summary: 'Depth and consumers of the consumer queues and of each DLQ',
        tag: 'Monitoring',
        access: 'viewer',
        responses: { 200: { description: 'the queues', schema: 'Queues' } },
        errors: { unavailable: 'the broker is down' },
      },
    ],
  },
  {
    path: '/api/processes',
    operations: [
      {
        method: 'GET',
        summary: 'The live EventDesk processes and the once-per-cluster duties each holds',
        description: 'Live: a heartbeat (every 5 s) under 30 s old.',
        tag: 'Monitoring',
        access: 'viewer',
        responses: { 200: { description: 'the processes', schema: 'Processes' } },
      },
    ],
  },
  {
    path: '/api/health',
    operations: [
      {
        method: 'GET',
        summary: 'Database, broker and drain state',
        description: 'status is degraded when the broker is unreachable or the drain is in error. No authentication.',
        tag: 'Monitoring',
        access: 'public',
        responses: {
          200: { description: 'the database answers (status may still be degraded)', schema: 'Health' },
          503: { description: 'the database is down (the same body, database.ok false)', schema: 'Health' },
        },
      },
    ],
  },
  {
    path: '/api/metrics',
    operations: [
      {
        method: 'GET',
        summary: 'Prometheus metrics',
        description: 'Text exposition format (prom-client). Public unless METRICS_TOKEN is set; then send it as a Bearer token.',
        tag: 'Monitoring',
        access: 'metrics-token',
        responses: { 200: { description: 'the metrics', contentType: 'text/plain; version=0.0.4' } },
      },
    ],
  },
  {
    path: '/api/audit',
    operations: [
      {
        method: 'GET',
        summary: 'The audit log, newest first',
        description: 'Details (edit diffs included) are masked for viewers.',
        tag: 'Audit',
        access: 'viewer',
        query: auditQuerySchema,
        responses: { 200: { description: 'a page of audit entries', schema: 'AuditPage' } },
      },
    ],
  },
  {
    path: '/api/audit/export',
    operations: [
      {
        method: 'GET',
        summary: 'Export the audit log as CSV or NDJSON',
        description:
          "Every entry the audit list's filters select, newest first, streamed as an attachment (audit-<UTC time>.csv|ndjson): id, at, actor, action, target, reason, details (JSON text in CSV). Details masked for viewers.",
        tag: 'Audit',
        access: 'viewer',
        query: auditExportQuerySchema,
        responses: { 200: { description: 'the file, streamed', contentType: ['text/csv', 'application/x-ndjson'] } },
      },
    ],
  },
  {
    path: '/api/me',
    operations: [
      {
        method: 'GET',
        summary: 'Who the caller is and their role',
        tag: 'Access',
        access: 'viewer',
        responses: { 200: { description: 'the caller', schema: 'Me' } },
      },
    ],
  },
  {
    path: '/api/users',
    operations: [
      {
        method: 'GET',
        summary: 'Every console user',
        tag: 'Access',
        access: 'admin',
        responses: { 200: { description: 'the users', schema: 'UserList' } },
      },
      {
        method: 'POST',
        summary: 'Create a user',
        description: 'Without a password, one is generated and returned once.',
        tag: 'Access',
        access: 'admin',
        body: { schema: 'CreateUserRequest', required: true },
        responses: { 201: { description: 'the user (and the generated password)', schema: 'UserWriteResult' } },
        errors: { conflict: 'a user with this email exists' },
      },
    ],
  },
  {
    path: '/api/users/assignable',
    operations: [
      {
        method: 'GET',
        summary: 'Users a failure group can be assigned to',
        description: 'Active operators and admins, by email, at most 500: id and email only (emails masked for viewers).',
        tag: 'Access',
        access: 'viewer',
        responses: { 200: { description: 'the assignable users', schema: 'AssignableUserList' } },
      },
    ],
  },
  {
    path: '/api/users/{id}',
    params: { id: { schema: z.string(), description: 'user id' } },
    operations: [
      {
        method: 'PATCH',
        summary: 'Change role, disable / enable, or reset the password',
        description: "Disabling or resetting ends the user's sessions; a reset password is returned once.",
        tag: 'Access',
        access: 'admin',
        body: { schema: 'UpdateUserRequest', required: true },
        responses: { 200: { description: 'the user (and the new password)', schema: 'UserWriteResult' } },
        errors: { not_found: 'no such user', conflict: 'demoting or disabling yourself, or the last admin' },
      },
    ],
  },
  {
    path: '/api/tokens',
    operations: [
      {
        method: 'GET',
        summary: 'API tokens with their last use',
        tag: 'Access',
        access: 'admin',
        responses: { 200: { description: 'the tokens (never the secret)', schema: 'ApiTokenList' } },
      },
      {
        method: 'POST',
        summary: 'Create an API token',
        description:
          "The token is in this response only (it is stored hashed). Its name is its audit actor: no @, none of EventDesk's own actors (system, drain, cli: 400), never reused, a revoked token's included (409).",
        tag: 'Access',
        access: 'admin',
        body: { schema: 'CreateTokenRequest', required: true },
        responses: { 201: { description: 'the token and its record', schema: 'CreatedToken' } },
        errors: { conflict: 'another token, live or revoked, has this name' },
      },
    ],
  },
  {
    path: '/api/tokens/{id}',
    params: { id: { schema: z.string(), description: 'token id' } },
    operations: [
      {
        method: 'DELETE',
        summary: 'Revoke an API token',
        description: 'Kept in the list, marked revoked. No fields: no body (or {}).',
        tag: 'Access',
        access: 'admin',
        responses: { 200: { description: 'the revoked token', schema: 'ApiToken' } },
        errors: { not_found: 'no such token', invalid_request: 'a field in the body' },
      },
    ],
  },
  {
    path: '/api/notifications/channels',
    operations: [
      {
        method: 'GET',
        summary: 'Notification channels',
        tag: 'Notifications',
        access: 'admin',
        responses: { 200: { description: 'the channels (never their secrets)', schema: 'NotificationChannelList' } },
      },
      {
        method: 'POST',
        summary: 'Create a notification channel',
        description:
          'kind webhook (a POST of the JSON event) or slack (an incoming webhook: {text, blocks}); url http(s) only, redirects are not followed. The signing secret (X-EventDesk-Signature: sha256=<HMAC-SHA256 of the body>) is in this response only.',
        tag: 'Notifications',
        access: 'admin',
        body: { schema: 'CreateNotificationChannelRequest', required: true },
        responses: { 201: { description: 'the channel and its secret', schema: 'CreatedNotificationChannel' } },
      },
    ],
  },
  {
    path: '/api/notifications/channels/{id}',
    params: { id: { schema: uuidText, description: 'channel id (UUID); anything else is a 404' } },
    operations: [
      {
        method: 'PATCH',
        summary: 'Change a notification channel',
        description: 'Name, URL, events, event types, thresholds, enabled; the secret stays.',
        tag: 'Notifications',
        access: 'admin',
        body: { schema: 'UpdateNotificationChannelRequest', required: true },
        responses: { 200: { description: 'the channel', schema: 'NotificationChannel' } },
        errors: { not_found: 'no such channel' },
      },
      {
        method: 'DELETE',
        summary: 'Delete a notification channel and its deliveries',
        tag: 'Notifications',
        access: 'admin',
        responses: { 200: { description: 'the deleted channel', schema: 'NotificationChannel' } },
        errors: { not_found: 'no such channel' },
      },
    ],
  },
  {
    path: '/api/notifications/channels/{id}/test',
    params: { id: { schema: uuidText, description: 'channel id (UUID); anything else is a 404' } },
    operations: [
      {
        method: 'POST',
        summary: 'Send a test notification',
        description: 'Queues a "test" event for this channel; the sender delivers it within seconds (see its deliveries). No fields: no body (or {}).',
        tag: 'Notifications',
        access: 'admin',
        responses: { 202: { description: 'queued', schema: 'NotificationTestQueued' } },
        errors: { not_found: 'no such channel', invalid_request: 'a field in the body' },
      },
    ],
  },
  {
    path: '/api/notifications/deliveries',
    operations: [
      {
        method: 'GET',
        summary: "A channel's last deliveries",
        description: 'Newest first, 50 at most: event, status (pending, delivered, failed = given up), attempts, the last HTTP status or error.',
        tag: 'Notifications',
        access: 'admin',
        query: deliveriesQuerySchema,
        responses: { 200: { description: 'the deliveries', schema: 'NotificationDeliveryList' } },
        errors: { not_found: 'no such channel' },
      },
    ],
  },
  {
    path: '/api/openapi.json',
    operations: [
      {
        method: 'GET',
        summary: 'This OpenAPI 3.1 document',
        description: 'Public, like the README it mirrors: code generators and scripts fetch it without a token. Rendered for people at /api-docs.',
        tag: 'Meta',
        access: 'public',
        responses: { 200: { description: 'the OpenAPI document' } },
      },
    ],
  },
  {
    path: '/api/auth/{nextauth}',
    params: {
      nextauth: {
        schema: z.string(),
        description: "one or more path segments, next-auth's own: providers, csrf, session, signin/credentials, callback/<provider>, signout",
      },
    },
    operations: [
      {
        method: 'GET',
        summary: "next-auth's endpoints (providers, csrf, session, callbacks)",
        description: "next-auth's own answers, not this API's envelope, except the guard's refusals (bad characters, oversized bodies).",
        tag: 'Auth',
        access: 'next-auth',
        responses: { 200: { description: "next-auth's answer (JSON or a redirect)" } },
        errors: { invalid_request: 'a control character, NUL or over-long value in a field or callbackUrl' },
      },
      {
        method: 'POST',
        summary: 'Sign in, sign out (next-auth)',
        description: 'Form-encoded, with the csrf token. Failed sign-ins are rate limited (10 per account and per address in 15 minutes).',
        tag: 'Auth',
        access: 'next-auth',
        responses: { 200: { description: "next-auth's answer (JSON or a redirect)" } },
        errors: {
          invalid_request: 'a control character, NUL or over-long value in a field or callbackUrl',
          payload_too_large: 'a body over 64 KiB',
        },
      },
    ],
  },
];
