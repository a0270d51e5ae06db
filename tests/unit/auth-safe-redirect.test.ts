// The redirect: a sign-in (or proxy) redirect target is a same-origin path, or '/'.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeRedirectPath } from '@/lib/auth/safe-redirect';

const ORIGIN = 'http://console.example:3000';

describe('safeRedirectPath', () => {
  it.each([
    ['/groups', '/groups'],
    ['/?reason=rejected&status=pending', '/?reason=rejected&status=pending'],
    ['/dead-letters/abc#history', '/dead-letters/abc#history'],
    ['/a b', '/a%20b'],
    [`${ORIGIN}/audit?x=1`, '/audit?x=1'],
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'], // stays a path: browsers do not decode it
  ])('keeps the same-origin path %j', (input, expected) => {
    expect(safeRedirectPath(input, ORIGIN)).toBe(expected);
  });

  it.each([
    null,
    undefined,
    '',
    '//evil.example',
    '///evil.example',
    '/\t/evil.example',
    '/%09/evil.example'.replace('%09', '\t'),
    '/\n/evil.example',
    '/\r/evil.example',
    '\t//evil.example',
    ' //evil.example',
    '/ /evil.example '.trim() + ' ',
    '/\\evil.example',
    '\\\\evil.example',
    '/\\/evil.example',
    'https://evil.example/',
    'http://console.example:3001/',
    'https://console.example:3000/',
    'http://console.example:3000@evil.example/',
    'http://evil.example#@console.example:3000',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox',
    'groups',
    '?x=1',
    '/a/..//evil.example',
    '/./\x00/evil',
    '/\u0085/evil.example',
    '/\u007f',
    '/' + 'a'.repeat(5000),
  ])('falls back to / for %j', (input) => {
    expect(safeRedirectPath(input, ORIGIN)).toBe('/');
  });

  it('never leaves the origin, whatever the input (property)', () => {
    const nasty = fc.constantFrom(
      '/',
      '//',
      '\\',
      '\t',
      '\n',
      '\r',
      '\0',
      ' ',
      '..',
      '.',
      '@',
      ':',
      '#',
      '?',
      '%09',
      '%2f',
      'evil.example',
      'http:',
      'javascript:',
      '\u2028',
      '\u0085',
      'console.example:3000',
    );
    const input = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.array(nasty, { maxLength: 12 }).map((parts) => parts.join('')),
      fc.webUrl(),
      fc.webPath(),
    );
    fc.assert(
      fc.property(input, (value) => {
        const result = safeRedirectPath(value, ORIGIN);
        expect(result.startsWith('/')).toBe(true);
        expect(result.startsWith('//')).toBe(false);
        expect(result.startsWith('/\\')).toBe(false);
        expect(new URL(result, ORIGIN).origin).toBe(ORIGIN);
        // what a browser does with it (drops TAB/LF/CR, reads \ as /) still stays here
        expect(new URL(result.replace(/[\t\n\r]/g, ''), ORIGIN).origin).toBe(ORIGIN);
        expect(/[\u0000-\u001f\u007f\\]/.test(result)).toBe(false);
      }),
      { numRuns: 5000 },
    );
  });
});
