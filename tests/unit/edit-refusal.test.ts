// Edit & retry's checks before Review (components/republish/edit-refusal.ts).
import { describe, expect, it } from 'vitest';
import { editRefusal } from '@/components/republish/edit-refusal';

const lint = (text: string) => {
  try {
    JSON.parse(text);
    return { syntaxError: null };
  } catch (err) {
    return { syntaxError: (err as Error).message };
  }
};
const refusal = (text: string, eventId: string | null) => editRefusal(lint(text), text, eventId);

describe('editRefusal', () => {
  it('refuses a body that is not JSON, saying so', () => {
    expect(refusal('{"eventId": "e-1",', 'e-1')).toMatch(/^The body is not JSON \(.+\): fix it before Review\.$/);
    expect(refusal('not json', null)).toMatch(/^The body is not JSON/);
  });

  it('refuses a changed, removed or non-string eventId', () => {
    expect(refusal('{"eventId": "e-2"}', 'e-1')).toBe('eventId must stay e-1');
    expect(refusal('{"data": {}}', 'e-1')).toBe('eventId must stay e-1');
    expect(refusal('{"eventId": 1}', '1')).toBe('eventId must stay 1');
    expect(refusal('[1, 2]', 'e-1')).toBe('eventId must stay e-1');
    expect(refusal('null', 'e-1')).toBe('eventId must stay e-1');
  });

  it('accepts the same eventId, and any JSON when the record has none (its body could not be read)', () => {
    expect(refusal('{"eventId": "e-1", "data": {"x": 2}}', 'e-1')).toBeNull();
    expect(refusal('{"anything": true}', null)).toBeNull();
  });
});
