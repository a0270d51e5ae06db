// user.created 2.x (current): the name became a structured object {first, last}.
import { z } from 'zod';
import { defineContract } from '../define-contract';
import { email, entityId, role, text } from '../fields';

const namePart = text(200);

export const userCreatedV2 = defineContract({
  eventType: 'user.created',
  major: 2,
  minor: 0,
  data: z.looseObject({
    userId: entityId,
    email,
    name: z.looseObject({ first: namePart, last: namePart }),
    role,
  }),
  example: {
    eventId: '8d2e4b61-0f3a-4c7e-b915-2a6f7c3d9e04',
    eventType: 'user.created',
    timestamp: '2026-11-20T10:30:00Z',
    version: '2.0',
    source: 'user-service',
    data: { userId: 'user123', email: 'john.doe@example.com', name: { first: 'John', last: 'Doe' }, role: 'STUDENT' },
  },
});

export type UserCreatedV2 = z.infer<typeof userCreatedV2.schema>;
