// Static types of the current major of every event, for typed handlers in lib/platform.
import type { CertificateIssuedV1 } from './contracts/certificate-issued.v1';
import type { CourseCreatedV1 } from './contracts/course-created.v1';
import type { CoursePublishedV1 } from './contracts/course-published.v1';
import type { MediaProcessedV1 } from './contracts/media-processed.v1';
import type { OrderCompletedV1 } from './contracts/order-completed.v1';
import type { OrderCreatedV1 } from './contracts/order-created.v1';
import type { ProgressUpdatedV1 } from './contracts/progress-updated.v1';
import type { ReviewCreatedV1 } from './contracts/review-created.v1';
import type { UserCreatedV2 } from './contracts/user-created.v2';
import type { UserUpdatedV1 } from './contracts/user-updated.v1';

/** eventType -> the event as a handler sees it (current major, after upcasting). */
export interface CurrentEvents {
  'user.created': UserCreatedV2;
  'user.updated': UserUpdatedV1;
  'course.created': CourseCreatedV1;
  'course.published': CoursePublishedV1;
  'order.created': OrderCreatedV1;
  'order.completed': OrderCompletedV1;
  'progress.updated': ProgressUpdatedV1;
  'certificate.issued': CertificateIssuedV1;
  'media.processed': MediaProcessedV1;
  'review.created': ReviewCreatedV1;
}

export type EventType = keyof CurrentEvents;
