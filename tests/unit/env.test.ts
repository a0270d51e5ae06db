import { describe, expect, it } from 'vitest';
import { EnvError, parseEnv } from '@/lib/env';

describe('settings', () => {
  it('gives every setting its documented default', () => {
    const env = parseEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.DATABASE_URL).toBe('postgresql://postgres@127.0.0.1:5432/eventdesk');
    expect(env.AMQP_URL).toBe('amqp://guest:guest@127.0.0.1:5672');
    expect(env.EVENTS_EXCHANGE).toBe('edu.events');
    expect(env.DLQ_QUEUE).toEqual(['edu.events.dlq']);
    expect(env.DECLARE_TOPOLOGY).toBe(false);
    expect(env.DLQ_QUEUE_TYPE).toBe('classic');
    expect(env.DRAIN).toBe(true);
    expect(env.TAP).toBe(true);
    expect(env.RETENTION_DAYS).toBe(7);
    expect(env.MAX_RETRIES).toBe(3);
    expect(env.NEXTAUTH_URL).toBe('http://localhost:3000');
    expect(env.ADMIN_EMAIL).toBe('admin@localhost');
    expect(env.MASK_FIELDS).toEqual(['email', 'paymentId']);
  });

  it('takes the documented default admin email when it is set explicitly, and refuses what is no email', () => {
    expect(parseEnv({ ADMIN_EMAIL: 'admin@localhost' }).ADMIN_EMAIL).toBe('admin@localhost');
    expect(parseEnv({ ADMIN_EMAIL: 'ops@example.com' }).ADMIN_EMAIL).toBe('ops@example.com');
    for (const bad of ['admin', 'admin@', '@localhost', 'a b@c']) expect(() => parseEnv({ ADMIN_EMAIL: bad }), bad).toThrow(/ADMIN_EMAIL/);
  });

  it('parses given values', () => {
    const env = parseEnv({ PORT: '8080', DECLARE_TOPOLOGY: 'true', DLQ_QUEUE_TYPE: 'quorum', DRAIN: '0', MASK_FIELDS: 'email, iban' });
    expect(env.PORT).toBe(8080);
    expect(env.DLQ_QUEUE_TYPE).toBe('quorum');
    expect(env.DECLARE_TOPOLOGY).toBe(true);
    expect(env.DRAIN).toBe(false);
    expect(env.NEXTAUTH_URL).toBe('http://localhost:8080');
    expect(env.MASK_FIELDS).toEqual(['email', 'iban']);
  });

  it('names every bad variable', () => {
    let error: unknown;
    try {
      parseEnv({ PORT: 'eighty', AMQP_URL: 'http://x', DECLARE_TOPOLOGY: 'maybe', DLQ_QUEUE_TYPE: 'stream', RETENTION_DAYS: '0' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EnvError);
    const vars = (error as EnvError).issues.map((i) => i.variable).sort();
    expect(vars).toEqual(['AMQP_URL', 'DECLARE_TOPOLOGY', 'DLQ_QUEUE_TYPE', 'PORT', 'RETENTION_DAYS']);
    expect((error as EnvError).message).toContain('PORT');
  });
});
