// course.created 1.x: an instructor created a course (not yet visible to students).
import { z } from 'zod';
import { defineContract } from '../define-contract';
import { entityId, money, text, title } from '../fields';

export const courseCreatedV1 = defineContract({
  eventType: 'course.created',
  major: 1,
  minor: 0,
  data: z.looseObject({
    courseId: entityId,
    title,
    instructorId: entityId,
    category: text(200),
    price: money,
  }),
  example: {
    eventId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5e',
    eventType: 'course.created',
    timestamp: '2026-11-20T10:32:00Z',
    version: '1.0',
    source: 'course-service',
    data: { courseId: 'course123', title: 'Complete Web Development', instructorId: 'instructor123', category: 'Web Development', price: 99.99 },
  },
});

export type CourseCreatedV1 = z.infer<typeof courseCreatedV1.schema>;
