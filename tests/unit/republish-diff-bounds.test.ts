// The edit diff is bounded: a 35 KB edit that once blocked the event loop 7 s, a body past the
// size cap and a 10,000-deep body all answer within the limits, with a plain "too large to
// diff" message where a line-by-line diff would cost too much.
import { describe, expect, it } from 'vitest';
import { editedBodyDiff, isDiffTooLarge, MAX_DIFF_INPUT } from '@/lib/diff/republish-diff';

function timed<T>(fn: () => T): { value: T; ms: number } {
  const t = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t };
}

// The bounds asserted are an order of magnitude above what the caps give here (figures logged)
// and below what the uncapped diff took (7 s): they fail on a missing cap, not on a busy machine.
describe('editedBodyDiff bounds', () => {
  it('a 35 KB edit that changes every line answers "too large" within the time cap', () => {
    const original = JSON.stringify(Array.from({ length: 3500 }, (_, i) => `a${i}`));
    const edited = JSON.stringify(Array.from({ length: 3500 }, (_, i) => `b${i}`));
    expect(original.length).toBeGreaterThan(25_000);
    const { value, ms } = timed(() => editedBodyDiff(original, edited));
    console.log(`35 KB all-lines edit: ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(1000);
    expect(isDiffTooLarge(value)).toBe(true);
    expect(value).toMatch(/^Too large to diff: .* differ too much to show line by line\.$/);
  });

  it('35 KB of shuffled lines of text (no JSON) answers "too large" within the time cap', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${(i * 7919) % 5000}`);
    const { value, ms } = timed(() => editedBodyDiff(lines.join('\n'), [...lines].reverse().join('\n')));
    console.log(`35 KB reversed lines: ${ms.toFixed(1)} ms`);
    expect(isDiffTooLarge(value)).toBe(true);
    expect(ms).toBeLessThan(1000);
  });

  it('a body over the size cap is not diffed at all', () => {
    const big = 'x'.repeat(MAX_DIFF_INPUT + 1);
    const { value, ms } = timed(() => editedBodyDiff(big, big + 'y'));
    expect(isDiffTooLarge(value)).toBe(true);
    // it says why: the size, not how much the two differ (one character here)
    expect(value).toBe(
      `Too large to diff: the original (257 KB) or the edited body (257 KB) is over ${MAX_DIFF_INPUT / 1024} KB, past which bodies are not compared line by line.`,
    );
    expect(ms).toBeLessThan(200);
  });

  it('a 10,000-deep body is compared as text, without throwing', () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const { value, ms } = timed(() => editedBodyDiff(deep, deep.replace('[]', '[1]')));
    console.log(`10,000-deep body: ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(1000);
    expect(value).toContain('+');
  });

  it('a small edit still gives the line diff', () => {
    const diff = editedBodyDiff('{"a":1,"b":"x"}', '{"a":1,"b":"y"}');
    expect(isDiffTooLarge(diff)).toBe(false);
    expect(diff).toContain('-  "b": "x"');
    expect(diff).toContain('+  "b": "y"');
  });
});
