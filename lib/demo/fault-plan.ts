// Which events a simulated service will fail, and how. Faults hit the event's primary consumer
// (the service whose failure matters most for that event type); other consumers handle it fine.

export type HandlerFault = 'downstream' | 'flaky' | 'timeout';

export interface PlannedFault {
  service: string;
  kind: HandlerFault;
  /** flaky: failures left before it succeeds */
  failuresLeft: number;
  at: number;
}

export const PRIMARY_CONSUMER: Record<string, string> = {
  'user.created': 'notification-service',
  'course.created': 'search-service',
  'course.published': 'marketing-service',
  'order.created': 'payment-service',
  'order.completed': 'progress-service',
  'progress.updated': 'analytics-service',
  'certificate.issued': 'notification-service',
  'media.processed': 'content-service',
  'review.created': 'course-service',
};

/** Errors the way their downstream systems word them. */
export const DOWNSTREAM_ERRORS: Record<string, (id: string) => string> = {
  'payment-service': (id) => `payment gateway unavailable: POST https://payments.example.com/v1/charges (order ${id}) -> 503 Service Unavailable`,
  'notification-service': () => 'SMTP 421 4.7.0 smtp.example.com: too many concurrent connections, try again later',
  'analytics-service': () => 'ClickHouse Code: 241. DB::Exception: Memory limit (for query) exceeded: would use 9.31 GiB',
  'recommendation-service': (id) => `feature store timeout: GET http://features:8080/users/${id} after 5000 ms`,
  'search-service': () => 'Elasticsearch cluster_block_exception: index [courses] blocked by: [FORBIDDEN/12/index read-only / allow delete (api)]',
  'progress-service': (id) => `enrolment failed: duplicate key value violates unique constraint "enrolments_user_course_key" (${id})`,
  'marketing-service': () => 'Mailchimp API 429 Too Many Requests: rate limit of 10 requests/s exceeded',
  'course-service': () => 'deadlock detected while updating course rating (PostgreSQL 40P01)',
  'content-service': (id) => `S3 GetObject AccessDenied for key media/${id}/playlist.m3u8`,
};

export class FaultPlan {
  private readonly faults = new Map<string, PlannedFault>();

  add(eventId: string, eventType: string, kind: HandlerFault): void {
    const service = PRIMARY_CONSUMER[eventType];
    if (service) this.faults.set(eventId, { service, kind, failuresLeft: kind === 'flaky' ? 2 : Infinity, at: Date.now() });
  }

  /** The fault `service` must show for this delivery, if any (a flaky one wears off). */
  take(eventId: string, service: string): HandlerFault | undefined {
    const f = this.faults.get(eventId);
    if (!f || f.service !== service) return undefined;
    if (f.kind === 'flaky') {
      if (f.failuresLeft <= 0) return undefined;
      f.failuresLeft--;
    }
    return f.kind;
  }

  /** Forgets faults older than maxAgeMs (their events have long been settled). */
  prune(maxAgeMs: number): void {
    const cutoff = Date.now() - maxAgeMs;
    for (const [id, f] of this.faults) if (f.at < cutoff) this.faults.delete(id);
  }
}
