// user.created 1.x: a user registered (previous major; consumers upcast it to 2.x).
import { z } from 'zod';
import { defineContract } from '../define-contract';
import { email, entityId, role, text } from '../fields';

export const userCreatedV1 = defineContract({
  eventType: 'user.created',
  major: 1,
  minor: 0,
  data: z.looseObject({
    userId: entityId,
    email,
    firstName: text(200),
    lastName: text(200),
    role,
  }),
  example: {
    eventId: '3f1c2a9e-7b4d-4e21-9a6b-0c8d5e2f1a10',
    eventType: 'user.created',
    timestamp: '2026-11-20T10:30:00Z',
    version: '1.0',
    source: 'user-service',
    data: { userId: 'user123', email: 'john.doe@example.com', firstName: 'John', lastName: 'Doe', role: 'STUDENT' },
  },
});

export type UserCreatedV1 = z.infer<typeof userCreatedV1.schema>;
