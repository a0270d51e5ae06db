// The detail's note that the body shown is the one that died, not the edited one sent: said only
// while the latest event of the record is a republish with an edited body.
import { describe, expect, it } from 'vitest';
import { lastEditedRetry } from '@/components/dead-letters/detail/edited-retry-note';
import type { HistoryEntry } from '@/lib/schemas/dead-letters';

const entry = (action: string, at: string, details: unknown = {}): HistoryEntry => ({ action, at, actor: 'x', reason: null, details });

describe('lastEditedRetry', () => {
  const died = entry('dead-lettered', '2026-12-01T00:00:00Z');
  it('finds an edited republish that nothing followed', () => {
    const edited = entry('republished', '2026-12-01T00:01:00Z', { edited: true });
    expect(lastEditedRetry([died, edited])).toBe(edited);
  });
  it('ignores a republish of the body as it was', () => {
    expect(lastEditedRetry([died, entry('republished', '2026-12-01T00:01:00Z', { edited: false })])).toBeNull();
    expect(lastEditedRetry([died, entry('republished', '2026-12-01T00:01:00Z', null)])).toBeNull();
  });
  it('is gone once the message died again (the new death brings its own body)', () => {
    const h = [died, entry('republished', '2026-12-01T00:01:00Z', { edited: true }), entry('failed-again', '2026-12-01T00:02:00Z')];
    expect(lastEditedRetry(h)).toBeNull();
  });
  it('looks past entries that are neither (a discard, a restore) to the latest republish', () => {
    const edited = entry('republished', '2026-12-01T00:01:00Z', { edited: true });
    expect(lastEditedRetry([died, edited, entry('restored', '2026-12-01T00:03:00Z')])).toBe(edited);
    // an earlier edited retry that a plain one followed: the latest sent the body unchanged
    expect(lastEditedRetry([died, edited, entry('republished', '2026-12-01T00:04:00Z', {})])).toBeNull();
    expect(lastEditedRetry([])).toBeNull();
  });
});
