// order.completed 1.x: payment succeeded; the user is to be enrolled.
import { z } from 'zod';
import { defineContract } from '../define-contract';
import { courseIds, entityId, isoDateTime } from '../fields';

export const orderCompletedV1 = defineContract({
  eventType: 'order.completed',
  major: 1,
  minor: 0,
  data: z.looseObject({
    orderId: entityId,
    userId: entityId,
    courseIds,
    paymentId: entityId,
    completedAt: isoDateTime,
  }),
  example: {
    eventId: '4d5e6f7a-8b9c-4d0e-9f2a-3b4c5d6e7f80',
    eventType: 'order.completed',
    timestamp: '2026-11-20T10:35:00Z',
    version: '1.0',
    source: 'payment-service',
    data: { orderId: 'order123', userId: 'user123', courseIds: ['course123', 'course456'], paymentId: 'payment123', completedAt: '2026-11-20T10:35:00Z' },
  },
});

export type OrderCompletedV1 = z.infer<typeof orderCompletedV1.schema>;
