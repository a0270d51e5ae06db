import { describe, expect, it } from 'vitest';
import { maskFields, maskFieldsAsync, maskForActor, maskJsonText, maskValue } from '@/lib/server/auth/mask';

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

describe('header values stored encoded ($bytes, $str)', () => {
  const b64 = (s: string, enc: BufferEncoding = 'latin1') => Buffer.from(s, enc).toString('base64');
  const headers = {
    'x-customer': { $bytes: b64('bytes.secret@victim.org') },
    'x-arr': [{ $bytes: b64('arr.bytes@victim.org and more') }],
    'x-nul': { $str: b64('nul\u0000 in str.secret@victim.org', 'utf8') },
    'x-plain': { $bytes: b64('no address here') },
  };
  const decoded = (v: unknown) =>
    JSON.stringify(v, (k, x) => (k === '$bytes' ? Buffer.from(x, 'base64').toString('latin1') : k === '$str' ? Buffer.from(x, 'base64').toString('utf8') : x));

  it('are masked as the text they hold, shown encoded again (an address in them reached viewers as base64)', async () => {
    for (const masked of [maskFields(headers, ['email'], { scrubEmails: true }), await maskFieldsAsync(headers, ['email'], { scrubEmails: true })]) {
      const text = decoded(masked);
      for (const secret of ['bytes.secret', 'arr.bytes', 'str.secret', 'victim.org']) expect(text).not.toContain(secret);
      expect(text).toContain('and more');
      expect(masked['x-plain']).toEqual(headers['x-plain']); // nothing to mask: the same bytes
      expect(Object.keys(masked['x-customer'])).toEqual(['$bytes']);
    }
  });

  it("masks a value under such a name that is not base64 the drain wrote as the string it is (an operator's JSON Patch value)", () => {
    const patch = { op: 'add', path: '/c', value: { $str: 'jane@example.com', $bytes: 'not base64 @ all: mail bob@example.org' } };
    const text = JSON.stringify(maskFields(patch, ['email'], { scrubEmails: true }));
    expect(text).not.toMatch(/jane@|bob@/);
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
