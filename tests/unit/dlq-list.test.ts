import { describe, expect, it } from 'vitest';
import { EnvError, parseDlqList, parseEnv } from '@/lib/env';

const issueOf = (value: string) => {
  try {
    parseEnv({ DLQ_QUEUE: value });
  } catch (err) {
    expect(err).toBeInstanceOf(EnvError);
    return (err as EnvError).issues.find((i) => i.variable === 'DLQ_QUEUE')?.message;
  }
  return undefined;
};

describe('DLQ_QUEUE', () => {
  it('defaults to the one DLQ edu.events.dlq', () => {
    expect(parseEnv({}).DLQ_QUEUE).toEqual(['edu.events.dlq']);
  });

  it('takes one name or a comma-separated list, trimmed, in the given order', () => {
    expect(parseEnv({ DLQ_QUEUE: 'orders.dlq' }).DLQ_QUEUE).toEqual(['orders.dlq']);
    expect(parseEnv({ DLQ_QUEUE: ' orders.dlq ,billing.dlq,  mail.dlq' }).DLQ_QUEUE).toEqual(['orders.dlq', 'billing.dlq', 'mail.dlq']);
  });

  it('refuses empty entries', () => {
    expect(issueOf('')).toMatch(/none empty/);
    expect(issueOf('a.dlq,,b.dlq')).toMatch(/none empty/);
    expect(issueOf('a.dlq, ')).toMatch(/none empty/);
  });

  it('refuses a name listed twice (after trimming)', () => {
    expect(issueOf('a.dlq, b.dlq ,a.dlq')).toMatch(/"a.dlq" is listed twice/);
  });

  it('refuses names no queue can have', () => {
    expect(issueOf('amq.gen-1')).toMatch(/reserved/);
    expect(issueOf(`ok.dlq,${'x'.repeat(256)}`)).toMatch(/255 bytes/);
    // bytes, not characters: 128 two-byte characters are 256 bytes
    expect(() => parseDlqList('é'.repeat(128))).toThrow(/255 bytes/);
    expect(parseDlqList('é'.repeat(127))).toHaveLength(1);
    expect(issueOf('a\tb')).toMatch(/control character/);
  });
});
