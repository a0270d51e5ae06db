// Realistic dead letters as RabbitMQ hands them to the DLQ: an event body (~1 KB), x-death with
// the consumer queue, reason, count, exchange, routing keys and time, x-first-death-*, and the
// consumer's error header. Shared by the drain tests and bench/drain.ts.
import { randomUUID } from 'node:crypto';
import type { ConsumeMessage, Options } from 'amqplib';

const TYPES: [string, string[]][] = [
  ['user.created', ['notification-service', 'analytics-service', 'recommendation-service']],
  ['course.published', ['search-service', 'notification-service', 'marketing-service']],
  ['order.created', ['payment-service', 'analytics-service']],
  ['order.completed', ['progress-service', 'notification-service']],
  ['progress.updated', ['analytics-service', 'notification-service']],
  ['review.created', ['course-service', 'notification-service']],
];
const ERRORS = [
  'SMTP timeout after 30000ms',
  'Order order-1234 not found',
  'Cannot read properties of undefined (reading "email")',
  'connect ECONNREFUSED 10.0.0.12:5432',
  'Validation failed: rating must be <= 5',
];

export interface FixtureOptions {
  /** reuse this event id (a record that dies more than once) */
  eventId?: string;
  /** share of bodies that break the contract (0..1) */
  invalidShare?: number;
  timeSeconds?: number;
}

export function makeDeadLetter(i: number, opts: FixtureOptions = {}): { body: Buffer; options: Options.Publish } {
  const [eventType, queues] = TYPES[i % TYPES.length];
  const queue = queues[i % queues.length];
  const eventId = opts.eventId ?? randomUUID();
  const invalid = opts.invalidShare !== undefined && (i * 7919) % 1000 < opts.invalidShare * 1000;
  const event = {
    eventId,
    eventType,
    timestamp: new Date(1764268800000 + i * 1000).toISOString(),
    version: '1.0',
    source: eventType.split('.')[0] + '-service',
    data: invalid
      ? { userId: 123, note: 'wrong types on purpose' }
      : {
          userId: `user${i}`,
          email: `user${i}@example.com`,
          firstName: 'Ada',
          lastName: 'Lovelace',
          role: 'STUDENT',
          orderId: `order-${i}`,
          courseIds: [`course-${i % 97}`, `course-${i % 89}`],
          totalAmount: 199.98,
          currency: 'USD',
          courseId: `course-${i % 97}`,
          reviewId: `review-${i}`,
          rating: 5,
          comment: 'Excellent course! '.repeat(20),
          progressPercentage: 75.5,
          lectureId: `lecture-${i % 13}`,
          title: 'Complete Web Development',
          instructorId: 'instructor123',
          publishedAt: '2026-11-20T10:30:00Z',
          completedAt: '2026-11-20T10:30:00Z',
          paymentId: `payment-${i}`,
        },
  };
  const time = opts.timeSeconds ?? 1764268800 + Math.floor(i / 50);
  return {
    body: Buffer.from(JSON.stringify(event)),
    options: {
      contentType: 'application/json',
      deliveryMode: 2,
      messageId: `msg-${eventId}`,
      correlationId: `corr-${i}`,
      appId: event.source,
      timestamp: time - 1,
      headers: {
        'x-correlation-id': `corr-${i}`,
        'x-last-error': ERRORS[i % ERRORS.length],
        'x-death': [
          { count: 1 + (i % 3), reason: 'rejected', queue, time: { '!': 'timestamp', value: time }, exchange: 'edu.events', 'routing-keys': [eventType] },
        ],
        'x-first-death-exchange': 'edu.events',
        'x-first-death-queue': queue,
        'x-first-death-reason': 'rejected',
      },
    },
  };
}

/** A dead letter of the group named by `queue` and `error` (ids in the error are normalised away). */
/** A fixture as the drain receives it from the DLQ (for tests that prepare and store without a broker). */
export function asDelivery(m: { body: Buffer; options: Options.Publish }, deliveryTag = 1, routingKey = 'edu.events.dlq'): ConsumeMessage {
  return {
    content: m.body,
    fields: { deliveryTag, redelivered: false, exchange: '', routingKey, consumerTag: 'test' },
    properties: { ...m.options, headers: m.options.headers ?? {} },
  } as unknown as ConsumeMessage;
}

export function groupDeadLetter(queue: string, error: string) {
  const eventId = randomUUID();
  const at = new Date();
  return {
    body: Buffer.from(
      JSON.stringify({
        eventId,
        eventType: 'course.enrolled',
        timestamp: at.toISOString(),
        version: '1.0',
        source: 't',
        data: { studentId: 1, courseId: 'c' },
      }),
    ),
    options: {
      messageId: eventId,
      contentType: 'application/json',
      headers: {
        'x-death': [
          {
            queue,
            reason: 'rejected',
            count: 1,
            exchange: 'edu.events',
            'routing-keys': ['course.enrolled'],
            time: { '!': 'timestamp', value: Math.floor(at.getTime() / 1000) },
          },
        ],
        'x-first-death-queue': queue,
        'x-first-death-reason': 'rejected',
        'x-exception-message': `${error} ${randomUUID()}`,
      },
    },
  };
}
