// review.created 1.x: a user rated a course (1..5 stars, optional comment).
import { z } from 'zod';
import { defineContract } from '../define-contract';
import { entityId } from '../fields';

export const reviewCreatedV1 = defineContract({
  eventType: 'review.created',
  major: 1,
  minor: 0,
  data: z.looseObject({
    reviewId: entityId,
    courseId: entityId,
    userId: entityId,
    rating: z.number().int('must be a whole number').min(1, 'must be between 1 and 5').max(5, 'must be between 1 and 5'),
    comment: z.string().max(10_000).optional(),
  }),
  example: {
    eventId: '8b9c0d1e-2f3a-4b4c-9d6e-7f8091a2b3c4',
    eventType: 'review.created',
    timestamp: '2026-11-20T10:39:00Z',
    version: '1.0',
    source: 'review-service',
    data: { reviewId: 'review123', courseId: 'course123', userId: 'user123', rating: 5, comment: 'Excellent course!' },
  },
});

export type ReviewCreatedV1 = z.infer<typeof reviewCreatedV1.schema>;
