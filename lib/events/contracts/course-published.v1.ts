// course.published 1.x: a course became available to students.
import { z } from 'zod';
import { defineContract } from '../define-contract';
import { entityId, isoDateTime, title } from '../fields';

export const coursePublishedV1 = defineContract({
  eventType: 'course.published',
  major: 1,
  minor: 0,
  data: z.looseObject({
    courseId: entityId,
    title,
    instructorId: entityId,
    publishedAt: isoDateTime,
  }),
  example: {
    eventId: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
    eventType: 'course.published',
    timestamp: '2026-11-20T10:33:00Z',
    version: '1.0',
    source: 'course-service',
    data: { courseId: 'course123', title: 'Complete Web Development', instructorId: 'instructor123', publishedAt: '2026-11-20T10:33:00Z' },
  },
});

export type CoursePublishedV1 = z.infer<typeof coursePublishedV1.schema>;
