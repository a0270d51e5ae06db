// order.created 1.x: checkout started for one or more courses.
import { z } from 'zod';
import { defineContract } from '../define-contract';
import { courseIds, currency, entityId, money } from '../fields';

export const orderCreatedV1 = defineContract({
  eventType: 'order.created',
  major: 1,
  minor: 0,
  data: z.looseObject({
    orderId: entityId,
    userId: entityId,
    courseIds,
    totalAmount: money,
    currency,
  }),
  example: {
    eventId: '3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f',
    eventType: 'order.created',
    timestamp: '2026-11-20T10:34:00Z',
    version: '1.0',
    source: 'ecommerce-service',
    data: { orderId: 'order123', userId: 'user123', courseIds: ['course123', 'course456'], totalAmount: 199.98, currency: 'USD' },
  },
});

export type OrderCreatedV1 = z.infer<typeof orderCreatedV1.schema>;
