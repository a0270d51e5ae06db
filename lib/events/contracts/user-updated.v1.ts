// user.updated 1.x: profile fields changed; `changes` carries only what changed.
import { z } from 'zod';
import { defineContract } from '../define-contract';
import { email, entityId, httpUrl, role, text } from '../fields';

const namePart = text(200);

export const userUpdatedV1 = defineContract({
  eventType: 'user.updated',
  major: 1,
  minor: 0,
  data: z.looseObject({
    userId: entityId,
    changes: z
      .looseObject({
        firstName: namePart.optional(),
        lastName: namePart.optional(),
        email: email.optional(),
        avatar: httpUrl.optional(),
        role: role.optional(),
      })
      .refine((c) => Object.keys(c).length > 0, 'must contain at least one change'),
  }),
  example: {
    eventId: '5b7a1c3e-2d4f-4a6b-8c9d-0e1f2a3b4c5d',
    eventType: 'user.updated',
    timestamp: '2026-11-20T10:31:00Z',
    version: '1.0',
    source: 'user-service',
    data: { userId: 'user123', changes: { firstName: 'Jane', avatar: 'https://example.com/avatar.jpg' } },
  },
});

export type UserUpdatedV1 = z.infer<typeof userUpdatedV1.schema>;
