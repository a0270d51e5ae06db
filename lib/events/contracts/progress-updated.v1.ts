// progress.updated 1.x: a user completed a lecture / progressed in a course.
import { z } from 'zod';
import { defineContract } from '../define-contract';
import { entityId, isoDateTime } from '../fields';

export const progressUpdatedV1 = defineContract({
  eventType: 'progress.updated',
  major: 1,
  minor: 0,
  data: z.looseObject({
    userId: entityId,
    courseId: entityId,
    lectureId: entityId,
    progressPercentage: z.number().min(0, 'must be between 0 and 100').max(100, 'must be between 0 and 100'),
    completedAt: isoDateTime,
  }),
  example: {
    eventId: '5e6f7a8b-9c0d-4e1f-8a3b-4c5d6e7f8091',
    eventType: 'progress.updated',
    timestamp: '2026-11-20T10:36:00Z',
    version: '1.0',
    source: 'progress-service',
    data: { userId: 'user123', courseId: 'course123', lectureId: 'lecture456', progressPercentage: 75.5, completedAt: '2026-11-20T10:36:00Z' },
  },
});

export type ProgressUpdatedV1 = z.infer<typeof progressUpdatedV1.schema>;
