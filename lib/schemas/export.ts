// Query shapes of GET /api/dead-letters/export and GET /api/audit/export: the list's own filters
// plus the file format (README, HTTP API).
import { z } from 'zod';
import { auditQuerySchema } from './audit';
import { deadLetterFilterSchema } from './dead-letters';
import { blankToUndefined } from './safe-input';

export const EXPORT_FORMATS = ['csv', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const format = z.preprocess(blankToUndefined, z.enum(EXPORT_FORMATS, { message: 'expected csv or ndjson' }));

export const deadLetterExportQuerySchema = deadLetterFilterSchema.extend({ format });
export type DeadLetterExportQuery = z.infer<typeof deadLetterExportQuerySchema>;

export const auditExportQuerySchema = auditQuerySchema.pick({ actor: true, action: true }).extend({ format });
export type AuditExportQuery = z.infer<typeof auditExportQuerySchema>;
