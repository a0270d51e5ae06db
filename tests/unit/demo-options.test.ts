// The demo's CLI options and its injection / stop schedule.
import { describe, expect, it } from 'vitest';
import { DEMO_DEFAULTS, parseDemoArgs } from '@/lib/demo/demo-options';
import { generateEvent, EVENT_MIX } from '@/lib/demo/generate-event';
import { seededRandom } from '@/lib/demo/random';
import { injectionAt, stopActionAt } from '@/lib/demo/schedule';
import { validateEvent } from '@/lib/events/validate';

describe('parseDemoArgs', () => {
  it('reads --rate, --count and --fail-ratio, spaced or with =', () => {
    expect(parseDemoArgs(['--rate', '50', '--count=1000', '--fail-ratio', '0.1'])).toEqual({ rate: 50, count: 1000, failRatio: 0.1 });
    expect(parseDemoArgs([])).toEqual({});
  });

  it('reads --seed N and --teardown', () => {
    expect(parseDemoArgs(['--seed', '42'])).toEqual({ seed: 42 });
    expect(parseDemoArgs(['--seed=0', '--teardown'])).toEqual({ seed: 0, teardown: true });
    expect(() => parseDemoArgs(['--seed', '-1'])).toThrow(/--seed/);
    expect(() => parseDemoArgs(['--seed', ''])).toThrow(/--seed/);
    expect(() => parseDemoArgs(['--teardown=yes'])).toThrow(/--teardown/);
  });

  it('reads --force, with --teardown only', () => {
    expect(parseDemoArgs(['--teardown', '--force'])).toEqual({ teardown: true, force: true });
    expect(() => parseDemoArgs(['--force'])).toThrow('--force goes with --teardown only');
    expect(() => parseDemoArgs(['--teardown', '--force=1'])).toThrow(/--force takes no value/);
  });

  it('reads --queue-type classic|quorum', () => {
    expect(parseDemoArgs(['--queue-type', 'quorum'])).toEqual({ queueType: 'quorum' });
    expect(parseDemoArgs(['--queue-type=classic', '--rate', '5'])).toEqual({ queueType: 'classic', rate: 5 });
    expect(() => parseDemoArgs(['--queue-type', 'stream'])).toThrow(/--queue-type: expected classic or quorum/);
    expect(() => parseDemoArgs(['--queue-type'])).toThrow(/--queue-type/);
    expect(() => parseDemoArgs(['--queue-type='])).toThrow(/--queue-type/);
  });

  it.each([[['--rate', '0']], [['--rate', 'fast']], [['--count', '1.5']], [['--count']], [['--fail-ratio', '2']], [['--verbose']]])(
    'refuses %j, naming the option',
    (argv) => {
      expect(() => parseDemoArgs(argv)).toThrow(new RegExp(argv[0].split('=')[0]));
    },
  );
});

describe('schedule', () => {
  const o = { ...DEMO_DEFAULTS, count: 300 };

  it('injects every kind once in a counted run', () => {
    const kinds = Array.from({ length: 300 }, (_, i) => injectionAt(i, o)).filter(Boolean);
    expect(kinds.sort()).toEqual(['contract', 'downstream', 'flaky', 'poison', 'timeout']);
  });

  it('repeats injections in an endless run', () => {
    const endless = { ...DEMO_DEFAULTS, count: undefined };
    const kinds = Array.from({ length: 2_000 }, (_, i) => injectionAt(i, endless)).filter((k) => k === 'poison');
    expect(kinds.length).toBe(5); // every 20 s at 20 events/s over 100 s
  });

  it('stops the consumer at a quarter of a counted run and resumes it at three quarters', () => {
    expect(stopActionAt(75, o)).toBe('stop');
    expect(stopActionAt(100, o)).toBeUndefined();
    expect(stopActionAt(225, o)).toBe('resume');
  });

  it('stops an endless run after stopAfterMs for stopForMs', () => {
    const endless = { ...DEMO_DEFAULTS, count: undefined };
    expect(stopActionAt(160, endless)).toBe('stop'); // 8 s at 20/s
    expect(stopActionAt(500, endless)).toBeUndefined();
    expect(stopActionAt(660, endless)).toBe('resume'); // + 25 s
    expect(stopActionAt(2_400 + 160, endless)).toBe('stop'); // again after 120 s
  });
});

describe('generateEvent', () => {
  it('generates valid events of every type, some user.created still at 1.0', () => {
    const r = seededRandom(7);
    const versions = new Set<string>();
    for (const type of Object.keys(EVENT_MIX)) {
      for (let i = 0; i < 40; i++) {
        const event = generateEvent(type, r);
        const result = validateEvent(event);
        expect(result.violations).toEqual([]);
        if (type === 'user.created') versions.add(String(event.version));
      }
    }
    expect([...versions].sort()).toEqual(['1.0', '2.0']);
  });
});
