// certificate.issued 1.x: a user completed a course and received a certificate.
import { z } from 'zod';
import { defineContract } from '../define-contract';
import { entityId, isoDateTime } from '../fields';

export const certificateIssuedV1 = defineContract({
  eventType: 'certificate.issued',
  major: 1,
  minor: 0,
  data: z.looseObject({
    certificateId: entityId,
    userId: entityId,
    courseId: entityId,
    issuedAt: isoDateTime,
  }),
  example: {
    eventId: '6f7a8b9c-0d1e-4f2a-9b4c-5d6e7f8091a2',
    eventType: 'certificate.issued',
    timestamp: '2026-11-20T10:37:00Z',
    version: '1.0',
    source: 'progress-service',
    data: { certificateId: 'cert123', userId: 'user123', courseId: 'course123', issuedAt: '2026-11-20T10:37:00Z' },
  },
});

export type CertificateIssuedV1 = z.infer<typeof certificateIssuedV1.schema>;
