// Which service consumes which events: the consumer lists of event-architecture.md.
// user.updated has no consumer in the spec; it is published and, unbound, goes nowhere.

export interface ServiceSpec {
  /** the service's queue is named after it */
  name: string;
  eventTypes: string[];
  /** x-max-length of its queue (overflow drop-head dead-letters the oldest with reason maxlen) */
  maxLength?: number;
}

export const PLATFORM_CONSUMERS: readonly ServiceSpec[] = [
  {
    name: 'notification-service',
    eventTypes: ['user.created', 'course.created', 'course.published', 'order.completed', 'progress.updated', 'certificate.issued', 'review.created'],
  },
  {
    name: 'analytics-service',
    eventTypes: ['user.created', 'order.created', 'order.completed', 'progress.updated', 'certificate.issued', 'review.created'],
  },
  { name: 'recommendation-service', eventTypes: ['user.created', 'course.published', 'order.completed', 'progress.updated'] },
  { name: 'search-service', eventTypes: ['course.created', 'course.published'] },
  { name: 'payment-service', eventTypes: ['order.created'] },
  { name: 'progress-service', eventTypes: ['order.completed'] },
  { name: 'marketing-service', eventTypes: ['course.published'] },
  { name: 'course-service', eventTypes: ['media.processed', 'review.created'] },
  { name: 'content-service', eventTypes: ['media.processed'] },
];
