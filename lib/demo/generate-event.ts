// Realistic EduPlatform events of the ten types, in roughly production's mix.
import type { Random } from './random';

const FIRST = ['Amara', 'Lukas', 'Sofia', 'Kenji', 'Priya', 'Mateo', 'Chloe', 'Omar', 'Ingrid', 'Wei', 'Fatima', 'Noah'];
const LAST = ['Okafor', 'Schmidt', 'Rossi', 'Tanaka', 'Sharma', 'Garcia', 'Martin', 'Haddad', 'Larsen', 'Chen', 'Diallo', 'Smith'];
const COURSES: [string, string][] = [
  ['Complete Web Development', 'Web Development'],
  ['Machine Learning A-Z', 'Data Science'],
  ['Kubernetes for Developers', 'DevOps'],
  ['Financial Accounting Basics', 'Business'],
  ['Digital Illustration with Procreate', 'Design'],
  ['Spanish for Beginners', 'Languages'],
  ['Rust in Practice', 'Programming'],
  ['Photography Masterclass', 'Photography'],
];
const COMMENTS = ['Excellent course!', 'Clear explanations, too fast in week 3.', 'Exactly what I needed.', 'Audio quality could be better.', ''];
const CURRENCIES = ['USD', 'EUR', 'GBP', 'INR', 'BRL'];

/** event type -> relative frequency (progress updates dominate, as on a real learning platform) */
export const EVENT_MIX: Record<string, number> = {
  'progress.updated': 30,
  'user.created': 10,
  'order.created': 10,
  'order.completed': 8,
  'review.created': 8,
  'user.updated': 8,
  'media.processed': 6,
  'course.created': 4,
  'course.published': 4,
  'certificate.issued': 4,
};

const SOURCES: Record<string, string> = {
  'user.created': 'user-service',
  'user.updated': 'user-service',
  'course.created': 'course-service',
  'course.published': 'course-service',
  'order.created': 'ecommerce-service',
  'order.completed': 'payment-service',
  'progress.updated': 'progress-service',
  'certificate.issued': 'progress-service',
  'media.processed': 'media-processing-service',
  'review.created': 'review-service',
};

const TOTAL = Object.values(EVENT_MIX).reduce((a, b) => a + b, 0);

export function pickEventType(r: Random, exclude: ReadonlySet<string> = new Set()): string {
  for (;;) {
    let x = r.next() * TOTAL;
    for (const [type, weight] of Object.entries(EVENT_MIX)) {
      x -= weight;
      if (x < 0) {
        if (!exclude.has(type)) return type;
        break;
      }
    }
  }
}

function uuid(r: Random): string {
  const h = r.hex(32);
  const variant = '89ab'[r.int(0, 3)];
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const id = (r: Random, prefix: string) => `${prefix}_${r.hex(8)}`;
const money = (r: Random, min: number, max: number) => Math.round((min + r.next() * (max - min)) * 100) / 100;

function data(type: string, r: Random, now: string): Record<string, unknown> {
  const first = r.pick(FIRST);
  const last = r.pick(LAST);
  const userId = id(r, 'usr');
  const [title, category] = r.pick(COURSES);
  const courseId = id(r, 'crs');
  switch (type) {
    case 'user.created':
      return {
        userId,
        email: `${first}.${last}.${r.hex(4)}@example.com`.toLowerCase(),
        name: { first, last },
        role: r.pick(['STUDENT', 'STUDENT', 'STUDENT', 'INSTRUCTOR', 'ADMIN']),
      };
    case 'user.updated':
      return { userId, changes: r.chance(0.5) ? { lastName: last } : { avatar: `https://cdn.example.com/avatars/${userId}.jpg` } };
    case 'course.created':
      return { courseId, title, instructorId: id(r, 'ins'), category, price: money(r, 0, 199) };
    case 'course.published':
      return { courseId, title, instructorId: id(r, 'ins'), publishedAt: now };
    case 'order.created': {
      const courseIds = Array.from({ length: r.int(1, 3) }, () => id(r, 'crs'));
      return { orderId: id(r, 'ord'), userId, courseIds, totalAmount: money(r, 9.99, 399), currency: r.pick(CURRENCIES) };
    }
    case 'order.completed':
      return { orderId: id(r, 'ord'), userId, courseIds: [courseId], paymentId: id(r, 'pay'), completedAt: now };
    case 'progress.updated':
      return { userId, courseId, lectureId: id(r, 'lec'), progressPercentage: Math.round(r.next() * 1000) / 10, completedAt: now };
    case 'certificate.issued':
      return { certificateId: id(r, 'cert'), userId, courseId, issuedAt: now };
    case 'media.processed': {
      const mediaId = id(r, 'med');
      return {
        mediaId,
        courseId,
        lectureId: id(r, 'lec'),
        fileUrl: `https://storage.example.com/uploads/${mediaId}.mp4`,
        hlsUrl: `https://cdn.example.com/hls/${mediaId}/playlist.m3u8`,
        thumbnailUrl: `https://cdn.example.com/hls/${mediaId}/thumb.jpg`,
        duration: r.int(60, 5400),
        status: 'completed',
      };
    }
    case 'review.created': {
      const comment = r.pick(COMMENTS);
      return { reviewId: id(r, 'rev'), courseId, userId, rating: r.int(1, 5), ...(comment ? { comment } : {}) };
    }
    default:
      throw new Error(`no generator for ${type}`);
  }
}

/** A valid event; user.created comes as 1.0 from producers not yet migrated (~15%). */
export function generateEvent(type: string, r: Random): Record<string, unknown> {
  const now = new Date().toISOString();
  const event = { eventId: uuid(r), eventType: type, timestamp: now, version: '1.0', source: SOURCES[type], data: data(type, r, now) };
  if (type === 'user.created') {
    if (r.chance(0.15)) {
      const { name, ...rest } = event.data as { name: { first: string; last: string } };
      event.data = { ...rest, firstName: name.first, lastName: name.last };
    } else {
      event.version = '2.0';
    }
  }
  return event;
}
