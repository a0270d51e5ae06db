// Counters behind the demo's once-a-second line.
import type { OutcomeReport } from '@/lib/platform/handler-types';

export class DemoStats {
  published = 0;
  injected = 0;
  consumed = 0;
  duplicates = 0;
  retried = 0;
  deadLettered = 0;
  readonly startedAt = Date.now();

  record(o: OutcomeReport): void {
    if (o.outcome === 'handled') this.consumed++;
    else if (o.outcome === 'duplicate') this.duplicates++;
    else if (o.outcome === 'retried') this.retried++;
    else this.deadLettered++;
  }

  line(extra: { dlqDepth?: number; stopped?: { service: string; waiting: number } }): string {
    const secs = Math.round((Date.now() - this.startedAt) / 1000);
    const parts = [
      `[demo ${String(secs).padStart(4)}s]`,
      `published=${this.published}`,
      // malformed messages sent on purpose (contract violations, poison bodies) next to the events
      ...(this.injected ? [`malformed=${this.injected}`] : []),
      `consumed=${this.consumed}`,
      `retried=${this.retried}`,
      `dead-lettered=${this.deadLettered}`,
    ];
    if (extra.dlqDepth !== undefined) parts.push(`dlq-depth=${extra.dlqDepth}`);
    if (extra.stopped) parts.push(`(${extra.stopped.service} stopped, ${extra.stopped.waiting} waiting)`);
    return parts.join('  ');
  }
}
