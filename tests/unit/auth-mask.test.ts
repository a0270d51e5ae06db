import { describe, expect, it } from 'vitest';
import { maskFields, maskForActor, maskJsonText, maskValue } from '@/lib/server/auth/mask';

describe('maskFields', () => {
  it('masks named fields at any depth, case-insensitively, and leaves the rest', () => {
    const value = { user: { Email: 'jane.doe@example.com', name: 'Jane' }, payments: [{ paymentId: 'pay_12345678', amount: 3 }] };
    expect(maskFields(value, ['email', 'paymentId'])).toEqual({
      user: { Email: 'j***@e***.com', name: 'Jane' },
      payments: [{ paymentId: 'p***8', amount: 3 }],
    });
    expect(value.user.Email).toBe('jane.doe@example.com'); // a copy, not in place
  });

  it('masks a utf8 JSON message body inside a detail response, keeping its indentation', () => {
    const detail = { body: { encoding: 'utf8', data: '{\n  "email": "a.b@c.org",\n  "n": 1\n}', sizeBytes: 30 }, headers: { email: 'x@y.io' } };
    const masked = maskFields(detail, ['email']);
    expect(JSON.parse(masked.body.data)).toEqual({ email: 'a***@c***.org', n: 1 });
    expect(masked.body.data).toContain('\n  "n": 1');
    expect(masked.headers.email).toBe('x***@y***.io');
  });

  it('leaves a body that is not JSON alone unless asked to scrub emails', () => {
    expect(maskJsonText('not json jane@example.com', ['email'])).toBe('not json jane@example.com');
    expect(maskJsonText('not json jane@example.com', ['email'], { scrubEmails: true })).toBe('not json j***@e***.com');
  });

  it('masks whole sub-objects under a named key, and short values entirely', () => {
    expect(maskValue({ a: 'abc', b: ['longer-value'] })).toEqual({ a: '***', b: ['l***e'] });
    expect(maskValue(null)).toBeNull();
  });
});

describe('maskForActor', () => {
  const list = { items: [{ id: '1', errorMessage: 'no user jane@example.com', actor: 'ops@corp.example', email: 'jane@example.com' }] };

  it('masks for viewers, scrubbing emails in free text but not the audit actor', () => {
    expect(maskForActor({ role: 'viewer' }, list, ['email'])).toEqual({
      items: [{ id: '1', errorMessage: 'no user j***@e***.com', actor: 'ops@corp.example', email: 'j***@e***.com' }],
    });
  });

  it('shows operators and admins everything', () => {
    expect(maskForActor({ role: 'operator' }, list, ['email'])).toBe(list);
    expect(maskForActor({ role: 'admin' }, list, ['email'])).toBe(list);
  });
});
