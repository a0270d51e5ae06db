// The first start's framed block: the console URL, the admin email and the generated password,
// each on its own line inside a frame of even width.
import { describe, expect, it } from 'vitest';
import { firstAdminBanner } from '@/lib/server/auth/first-admin-banner';

describe('firstAdminBanner', () => {
  it('frames the URL, email and password as plain text', () => {
    const text = firstAdminBanner({ url: 'http://localhost:3000', email: 'admin@localhost', password: 'A7KZFzQrwjYWXMDX7SXx' });
    const lines = text.split('\n').filter(Boolean);
    expect(lines[0]).toMatch(/^\+-+\+$/);
    expect(lines.at(-1)).toBe(lines[0]);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    expect(text).toContain('|   Console   http://localhost:3000 ');
    expect(text).toContain('Email     admin@localhost');
    expect(text).toContain('Password  A7KZFzQrwjYWXMDX7SXx');
    expect(text).not.toContain('{');
  });
});
