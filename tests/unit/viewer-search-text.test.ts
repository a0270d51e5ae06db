// Viewers' search text (lib/mask/viewer-search.ts): whatever the body and wherever the 8 KB cut
// falls, no part of a masked value (an address, a payment id) is left in it or in what viewers
// are shown as written, and the error message is masked on its own even when the body ends
// inside a string literal.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskText } from '@/lib/mask/mask-scan';
import { maskKey, viewerMaskOptions, viewerSearchText, withoutCutTail } from '@/lib/mask/viewer-search';

const options = viewerMaskOptions(['email', 'paymentId']);

/** Whether any 6 characters of `secret` in a row appear in `text`. */
function leaks(text: string, secret: string): boolean {
  for (let i = 0; i + 6 <= secret.length; i++) if (text.includes(secret.slice(i, i + 6))) return true;
  return false;
}

const secretPart = fc.stringMatching(/^[a-z0-9]{10,16}$/);

describe("viewers' search text", () => {
  it('leaves no part of a masked value, wherever a body is cut and whatever the error message', () => {
    fc.assert(
      fc.property(
        secretPart,
        secretPart,
        fc.string({ maxLength: 60 }),
        fc.integer({ min: 0, max: 400 }),
        fc.constantFrom('', '\n', ' ', '  '),
        fc.boolean(),
        fc.constantFrom('"', '', 'he said "', '{"note":"'),
        (local, payment, note, cutAt, sep, secretInError, errorPrefix) => {
          const email = `${local}@q${payment.slice(0, 5)}mail.com`;
          const body = JSON.stringify({ data: { note, email, paymentId: payment, more: note } }, null, sep.length ? 1 : undefined).replace(/\n/g, sep || '\n');
          const cut = Math.min(cutAt, body.length);
          const error = secretInError ? `${errorPrefix}failed: {"paymentId":"${payment}"} for ${email}` : null;
          const text = viewerSearchText(body.slice(0, cut), cut < body.length, error, options);
          // what viewers are shown: the whole body and the error message, each masked
          const shown = `${maskText(body, options)}\n${error === null ? '' : maskText(error, options)}`;
          // neither what viewers are shown nor what they search holds any part of a masked value,
          // an error message that opens with a stray quote included (its payment id was shown as
          // written until the masker's second pass: lib/mask/mask-scan.ts maskQuotedNames)
          for (const secret of [local, payment]) {
            expect(leaks(shown, secret), shown).toBe(false);
            expect(leaks(text, secret), text).toBe(false);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('cuts a text back to before a string literal or word the cut left open', () => {
    expect(withoutCutTail('{"a":"one","b":"tw')).toBe('{"a":"one","b":');
    expect(withoutCutTail('{"a":"o\\"ne')).toBe('{"a":');
    expect(withoutCutTail('line "open\nsecond jane@exa')).toBe('line "open\nsecond ');
    expect(withoutCutTail('{"a":12')).toBe('{"a":');
    expect(withoutCutTail('{"a":"b"}')).toBe('{"a":"b"}');
  });

  it('masks a named value in text whose quotes do not pair up from the start (a stray quote first)', () => {
    expect(maskText('"failed: {"paymentId":"pay_secret123"} retry', options)).toBe('"failed: {"paymentId":"p***3"} retry');
    expect(maskText('x "y {"Email" : "ann@example.com", "paymentId": 12345}', options)).not.toMatch(/ann|12345/);
    expect(maskText('{"paymentId":null}', options)).toBe('{"paymentId":null}');
  });

  it('masks a named value in JSON held as a string inside JSON, its quotes escaped (a probe found it shown whole)', () => {
    const body = JSON.stringify({ data: { payload: JSON.stringify({ paymentId: 'PAYBODYJSON', card: { paymentId: 'PAYBODYJSON2', n: 7 } }) } });
    const masked = maskText(body, options);
    expect(masked).not.toMatch(/AYBODYJSO/);
    // still JSON, the payload still JSON inside it, the rest as it was
    const payload = JSON.parse((JSON.parse(masked) as { data: { payload: string } }).data.payload) as {
      paymentId: string;
      card: { paymentId: string; n: number };
    };
    expect(payload.paymentId).toBe('P***N');
    expect(payload.card).toEqual({ paymentId: 'P***2', n: 7 });
    // numbers and null too; masking again changes nothing
    expect(maskText('{"p":"{\\"paymentId\\": 1234567}"}', options)).not.toContain('1234567');
    expect(maskText('{"p":"{\\"paymentId\\":null}"}', options)).toBe('{"p":"{\\"paymentId\\":null}"}');
    expect(maskText(masked, options)).toBe(masked);
    // the viewers' search text as well
    expect(leaks(viewerSearchText(body, false, null, options), 'PAYBODYJSON')).toBe(false);
  });

  it('masks the error message apart from the body, which may end inside a quote', () => {
    const text = viewerSearchText('customer wrote "please refund', false, 'charge failed: {"paymentId":"pay_secret123"}', options);
    expect(text).not.toContain('pay_secret123');
    expect(text).toContain('customer wrote "please refund');
  });

  it('keys the masking by its fields, in any order or case', () => {
    expect(maskKey(['paymentId', 'Email'])).toBe(maskKey(['email', ' paymentid ']));
    expect(maskKey(['email'])).not.toBe(maskKey(['email', 'paymentId']));
  });
});
