// The bulk transformation applied to single bodies (lib/transform/apply-transform.ts): each
// outcome of a JSON Patch and of a JSONata expression, what a message may never become (another
// eventId, a prototype pollution), and the per-message diff a job writes to history.
import fc from 'fast-check';
import jsonPatch, { type Operation } from 'fast-json-patch';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { changesDiff } from '@/lib/diff/changes-diff';
import type { BulkTransform } from '@/lib/schemas/bulk';
import {
  compileTransform,
  isNotTried,
  isPastDeadline,
  isRunaway,
  MAX_PATCH_COPY_CHARS,
  MAX_TRANSFORM_BODY_BYTES,
  MAX_TRANSFORM_DEPTH,
  MAX_TRANSFORM_RESULT_CHARS,
} from '@/lib/transform/apply-transform';
import { evaluateJsonata, evaluateMessages, JsonataStalled } from '@/lib/transform/jsonata-worker';

const order = (amount: unknown, extra: Record<string, unknown> = {}) => ({
  eventId: '3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f',
  eventType: 'order.created',
  timestamp: '2026-11-20T10:34:00Z',
  version: '1.0',
  source: 'ecommerce-service',
  data: { orderId: 'order123', userId: 'user123', courseIds: ['course123'], totalAmount: amount, currency: 'USD' },
  ...extra,
});
const bytes = (v: unknown) => Buffer.from(JSON.stringify(v));

async function one(transform: BulkTransform, body: Buffer) {
  const [out] = await compileTransform(transform).apply([{ id: 'x', body }]);
  return out;
}

describe('JSON Patch', () => {
  const fix: BulkTransform = { kind: 'patch', operations: [{ op: 'replace', path: '/data/totalAmount', value: 199.98 }] };

  it('change: a valid, different body, sent as its JSON text', async () => {
    const out = await one(fix, bytes(order('199.98')));
    expect(out.outcome).toBe('change');
    expect(out.validation?.status).toBe('valid');
    expect(JSON.parse(out.bytes!.toString()).data.totalAmount).toBe(199.98);
  });

  it('unchanged: the stored bytes go as they are', async () => {
    const out = await one(fix, bytes(order(199.98)));
    expect(out).toMatchObject({ outcome: 'unchanged', bytes: null });
  });

  it('break: the result is checked against the contract', async () => {
    const out = await one({ kind: 'patch', operations: [{ op: 'remove', path: '/data/currency' }] }, bytes(order(1)));
    expect(out.outcome).toBe('break');
    expect(out.validation?.violations.map((v) => v.path)).toContain('$.data.currency');
  });

  it('test-failed: a failed test leaves the message alone', async () => {
    const out = await one(
      {
        kind: 'patch',
        operations: [
          { op: 'test', path: '/data/currency', value: 'EUR' },
          { op: 'remove', path: '/data' },
        ],
      },
      bytes(order(1)),
    );
    expect(out).toMatchObject({ outcome: 'test-failed', bytes: null, error: 'patch test failed (operation 1: test /data/currency)' });
  });

  it('error: a path the message lacks, a body that is not JSON, binary or over 1 MB, a changed eventId', async () => {
    expect((await one({ kind: 'patch', operations: [{ op: 'remove', path: '/data/nope' }] }, bytes(order(1)))).error).toMatch(/^path does not exist/);
    expect((await one(fix, Buffer.from('not json'))).error).toMatch(/^body is not JSON/);
    expect((await one(fix, Buffer.from([0xff, 0xfe, 0x00]))).error).toBe('body is not UTF-8 text');
    expect((await one(fix, Buffer.alloc(MAX_TRANSFORM_BODY_BYTES + 1, 0x20))).error).toMatch(/over 1 MB/);
    const renumbered = await one({ kind: 'patch', operations: [{ op: 'replace', path: '/eventId', value: 'x' }] }, bytes(order(1)));
    expect(renumbered).toMatchObject({ outcome: 'error', bytes: null });
    expect(renumbered.error).toMatch(/changed eventId/);
  });

  it('error, never a throw: a body nested too deep, a result over 1 MB, copies that double or deepen it', async () => {
    const deep = `{"eventId":"3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f","a":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    expect((await one(fix, Buffer.from(deep))).error).toBe(`body is nested deeper than ${MAX_TRANSFORM_DEPTH} levels: not transformed`);
    const big = await one({ kind: 'patch', operations: [{ op: 'add', path: '/pad', value: 'x'.repeat(MAX_TRANSFORM_RESULT_CHARS) }] }, bytes(order(1)));
    expect(big).toMatchObject({ outcome: 'error', bytes: null, error: `the result is over ${MAX_TRANSFORM_RESULT_CHARS} characters` });
    // each copy of the root into itself doubles the document: 2^60 of it is never built
    const doubling = await one(
      { kind: 'patch', operations: Array.from({ length: 60 }, (_, i) => ({ op: 'copy' as const, from: '', path: `/c${i}` })) },
      bytes(order(1)),
    );
    expect(doubling.outcome).toBe('error');
    // the sum of what the copies built passes its bound before one result does
    expect(doubling.error).toMatch(/^the (result is over \d+ characters|copies built more than 1 MB of JSON on this message) \(operation \d+: copy \/c\d+\)$/);
    // each copy of the root to the end of its own chain of "n" doubles the chain: 1, 3, 7 ... 511
    const chain: { op: 'copy'; from: string; path: string }[] = [];
    for (let length = 0; chain.length < 9; length = 2 * length + 1) chain.push({ op: 'copy', from: '', path: '/n'.repeat(length + 1) });
    const deepening = await one({ kind: 'patch', operations: chain }, bytes(order(1)));
    expect(deepening.outcome).toBe('error');
    expect(deepening.error).toMatch(new RegExp(`^the result is nested deeper than ${MAX_TRANSFORM_DEPTH} levels \\(operation \\d+: copy (/n)+\\)$`));
  });

  it('cannot pollute prototypes', async () => {
    const out = await one({ kind: 'patch', operations: [{ op: 'add', path: '/__proto__/polluted', value: 1 }] }, bytes(order(1)));
    expect(out.outcome).toBe('error');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('an error message never carries the document', async () => {
    const big = order(1, { padding: 'p'.repeat(10_000) });
    const out = await one({ kind: 'patch', operations: [{ op: 'replace', path: '/nope/deeper', value: 1 }] }, bytes(big));
    expect(out.error!.length).toBeLessThan(200);
  });

  it('a patch that does not parse is refused as a whole (422)', () => {
    expect(() => compileTransform({ kind: 'patch', operations: [{ op: 'add', path: 'no-slash', value: 1 }] })).toThrow(/does not parse/);
  });
});

/** Runs `work`, counting the turns the event loop gave a setImmediate ticker meanwhile. */
async function withTurns<T>(work: () => Promise<T>): Promise<{ result: T; turns: number }> {
  let turns = 0;
  let running = true;
  const turn = () => {
    turns++;
    if (running) setImmediate(turn);
  };
  setImmediate(turn);
  try {
    return { result: await work(), turns };
  } finally {
    running = false;
  }
}

describe('big chunks', () => {
  it('a chunk of bodies near 1 MB is handled with yields to the event loop between them', async () => {
    // ten ~0.9 MB bodies (a yield every 10 ms): without yields, apply() holds the loop until all are parsed, patched,
    // checked and serialised, and no setImmediate turn runs before it returns
    const big = Array.from({ length: 10 }, (_, i) => ({ id: `m${i}`, body: bytes(order('12.50', { pad: 'p'.repeat(900_000) })) }));
    const { result: out, turns } = await withTurns(() =>
      compileTransform({ kind: 'patch', operations: [{ op: 'replace', path: '/data/totalAmount', value: 12.5 }] }).apply(big),
    );
    expect(out.map((o) => o.outcome)).toEqual(Array(10).fill('change'));
    expect(turns).toBeGreaterThanOrEqual(4);
  });
});

describe('a patch that does much work on small bodies', () => {
  // a 233 KB value added, then copied onto itself 99 times: each copy clones it and measures the
  // whole document, ~23 MB of JSON a message from a 3 KB body (an operator's preview held the
  // server's event loop for 64 s, its health check for 52 s)
  const heavy: BulkTransform = {
    kind: 'patch',
    operations: [
      { op: 'add', path: '/a', value: Array.from({ length: 20_000 }, (_, i) => [[[i]]]) },
      ...Array.from({ length: 99 }, () => ({ op: 'copy' as const, from: '/a', path: '/a' })),
    ],
  };
  const small = Array.from({ length: 5 }, (_, i) => ({ id: `m${i}`, body: bytes(order('12.50')) }));

  it('is stopped on each message once its copies built 1 MB, and the event loop gets turns meanwhile', async () => {
    const { result: out, turns } = await withTurns(() => compileTransform(heavy).apply(small));
    expect(out.map((o) => o.outcome)).toEqual(Array(5).fill('error'));
    for (const o of out)
      expect(o.error).toMatch(
        new RegExp(`^the copies built more than ${MAX_PATCH_COPY_CHARS / 1024 / 1024} MB of JSON on this message \\(operation \\d+: copy /a\\)$`),
      );
    // yields counted body bytes before: bodies this small never yielded, and no turn ran
    expect(turns).toBeGreaterThanOrEqual(5);
  });

  it("counts what the copies clone, not the body's own size: two small copies in a 600 KB body are a change", async () => {
    const big = order(12.5, { pad: 'p'.repeat(600_000) });
    const out = await one(
      {
        kind: 'patch',
        operations: [
          { op: 'copy', from: '/eventType', path: '/copyA' },
          { op: 'copy', from: '/eventType', path: '/copyB' },
        ],
      },
      bytes(big),
    );
    expect(out.outcome).toBe('change');
  });

  it('tries no message past its deadline', async () => {
    const out = await compileTransform(heavy).apply(small, { deadline: Date.now() - 1 });
    expect(out.every(isPastDeadline)).toBe(true);
    expect(out[0].error).toBe('not tried: the request ran past its deadline');
  });
});

describe('JSON Patch applied copy-on-write', () => {
  const doc = {
    eventId: 'e-1',
    eventType: 'order.created',
    data: { a: { b: [1, { c: 2 }, 3], d: 'x' }, e: [{ f: 1 }, { f: 2 }], 'g/h': { '~i': 1 } },
    meta: { n: null },
  };
  const paths = [
    '/data',
    '/data/a',
    '/data/a/b',
    '/data/a/b/0',
    '/data/a/b/1/c',
    '/data/a/b/-',
    '/data/e/1/f',
    '/data/g~1h/~0i',
    '/meta/n',
    '/meta/new',
    '/nope/x',
  ];
  const op = fc.oneof(
    fc.record({ op: fc.constantFrom('add', 'replace', 'test'), path: fc.constantFrom(...paths), value: fc.oneof(fc.integer(), fc.constant({ z: [1] })) }),
    fc.record({ op: fc.constant('remove'), path: fc.constantFrom(...paths) }),
    fc.record({ op: fc.constantFrom('move', 'copy'), from: fc.constantFrom(...paths), path: fc.constantFrom(...paths) }),
  );

  it('gives what a patch of a full copy gives, and never touches the parsed body (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 4 }), async (ops) => {
        const transform = { kind: 'patch', operations: ops } as BulkTransform;
        const opsText = JSON.stringify(ops);
        let expected: { after?: unknown; failed?: true };
        try {
          // the operations as they arrive (parsed from a request's JSON: no value shared between
          // two of them; fc.constant gives one object to several, and structuredClone keeps that,
          // which made the reference patch build a circular document)
          const reference = JSON.parse(opsText) as Operation[];
          expected = { after: jsonPatch.applyPatch(structuredClone(doc), reference, true, true, true).newDocument };
        } catch {
          expected = { failed: true };
        }
        const out = await one(transform, bytes(doc));
        if (expected.failed) expect(['error', 'test-failed']).toContain(out.outcome);
        else {
          expect(out.outcome).not.toBe('error');
          expect(out.outcome).not.toBe('test-failed');
          expect(out.after).toEqual(expected.after);
        }
        expect(out.before).toEqual(doc);
        // nor the operations' own values, which every message of a job shares
        expect(JSON.stringify(ops)).toBe(opsText);
      }),
      { numRuns: 300 },
    );
  });
});

describe('JSONata', () => {
  it('computes the fix', async () => {
    const out = await one({ kind: 'jsonata', expression: '$ ~> | data | {"totalAmount": $number(totalAmount)} |' }, bytes(order('12.50')));
    expect(out.outcome).toBe('change');
    expect(JSON.parse(out.bytes!.toString()).data.totalAmount).toBe(12.5);
  });

  it("an evaluation error is that message's error, a syntax error refuses the expression", async () => {
    const out = await one({ kind: 'jsonata', expression: '$ ~> | data | {"totalAmount": $number(totalAmount)} |' }, bytes(order('twelve')));
    expect(out.outcome).toBe('error');
    expect(out.error).toMatch(/^JSONata: /);
    expect(() => compileTransform({ kind: 'jsonata', expression: '$ ~> | data | {' })).toThrow(/does not parse/);
  });

  it('a runaway expression stops on its message, and the next request is served', async () => {
    const out = await one({ kind: 'jsonata', expression: '($f := function($x) { $f($x + 1) }; $f(0))' }, bytes(order(1)));
    expect(isRunaway(out)).toBe(true);
    expect((await one({ kind: 'jsonata', expression: '$' }, bytes(order(1)))).outcome).toBe('unchanged');
  });

  it('goes to the worker 50 messages a request: a runaway stops a preview across requests, a job stops at its bytes', async () => {
    const inputs = Array.from({ length: 120 }, (_, i) => ({ id: `m${i}`, body: bytes(order(i)) }));
    // the 61st message (in the second request) recurses without end: the rest, in the third, are not tried
    const runaway = compileTransform({ kind: 'jsonata', expression: '($f := function($x) { $f($x + 1) }; data.totalAmount = 60 ? $f(0) : $)' });
    const out = await runaway.apply(inputs, { stopAtRunaway: true });
    expect(out.slice(0, 60).every((o) => o.outcome === 'unchanged')).toBe(true);
    expect(isRunaway(out[60])).toBe(true);
    expect(out.slice(61).every((o) => o.error === 'JSONata: not tried: the expression ran away on an earlier message')).toBe(true);
    // results of 100 KB: past 6 MB after the first request (5 MB), the second is tried and the third is not
    const heavy = compileTransform({ kind: 'jsonata', expression: '$ ~> | data | {"pad": $pad("", 100000, "a")} |' });
    const jobOut = await heavy.apply(inputs, { maxBytes: 6 * 1024 * 1024 });
    expect(jobOut.slice(0, 100).every((o) => o.outcome === 'change' && !isNotTried(o))).toBe(true);
    expect(jobOut.slice(100).every((o) => isNotTried(o) && o.before === undefined)).toBe(true);
  });

  it('a request stuck on a step that never yields holds its own worker only: another request is served meanwhile', async () => {
    const settled: string[] = [];
    // a backtracking regex: one built-in step that runs on without end (the watchdog ends it)
    const stuck = evaluateJsonata('$match("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", /(a+)+$/)', ['{}']).then(
      () => settled.push('stuck: answered'),
      (err: unknown) => settled.push(err instanceof JsonataStalled ? 'stuck: stalled' : `stuck: ${String(err)}`),
    );
    const quick = evaluateJsonata('$.a + 1', ['{"a":1}']).then((r) => settled.push(`quick: ${r[0].ok ? r[0].json : r[0].code}`));
    await Promise.all([stuck, quick]);
    // one worker serving requests in order answered the quick one only after the watchdog ended the stuck one
    expect(settled).toEqual(['quick: 2', 'stuck: stalled']);
    // and the pool serves on
    expect(await evaluateJsonata('$.a * 2', ['{"a":4}'])).toEqual([{ ok: true, json: '8' }]);
  });

  it('a process that used the worker exits by itself (an idle worker holds nothing open)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'jsonata-exit-'));
    const script = path.join(dir, 'script.mts');
    writeFileSync(
      script,
      `import { evaluateJsonata } from ${JSON.stringify(path.resolve('lib/transform/jsonata-worker.ts'))};
      const [r] = await evaluateJsonata('$.a + 1', ['{"a":1}']);
      process.stdout.write(r.json);`,
    );
    try {
      const run = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: process.cwd(), timeout: 30_000, encoding: 'utf8' });
      expect(run.signal, run.stderr).toBeNull(); // not ended by the timeout
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toBe('2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the result of an expression is a body: nothing returned is an error', async () => {
    expect((await one({ kind: 'jsonata', expression: 'nothing.here' }, bytes(order(1)))).error).toMatch(/returned nothing/);
  });
});

describe("evaluateMessages (the worker's loop)", () => {
  const limits = { timeoutMs: 100, maxDepth: 500, maxResultChars: 100 };
  // jsonata's guardrails throw objects with a code
  const guardrail = (code: string) => Promise.reject(Object.assign(new Error('guardrail'), { code }));
  /** an evaluator that answers each call from `plan` (an input's list of overruns and results, in order) */
  function scripted(plan: Record<string, unknown[]>) {
    const calls: string[] = [];
    const evaluate = (input: string) => {
      calls.push(input);
      const next = plan[input].shift();
      return next === 'overrun' ? guardrail('D1012') : Promise.resolve(next);
    };
    return { evaluate, calls };
  }

  it('a message that overran once (the thread was not running) is tried again and gets its result', async () => {
    const { evaluate, calls } = scripted({ a: ['overrun', { v: 1 }], b: [{ v: 2 }] });
    expect(await evaluateMessages(evaluate, ['a', 'b'], limits)).toEqual([
      { ok: true, json: '{"v":1}' },
      { ok: true, json: '{"v":2}' },
    ]);
    expect(calls).toEqual(['a', 'a', 'b']);
  });

  it('a runaway overruns twice on its first message, then once on each of the others', async () => {
    const { evaluate, calls } = scripted({ a: ['overrun', 'overrun'], b: ['overrun'], c: ['overrun'] });
    const results = await evaluateMessages(evaluate, ['a', 'b', 'c'], limits);
    expect(results).toEqual(Array(3).fill({ ok: false, code: 'D1012', message: 'took more than 100 ms on this message' }));
    expect(calls).toEqual(['a', 'a', 'b', 'c']);
  });

  it('a preview stops at the first runaway (time after its second try, or depth): the rest are not tried', async () => {
    const notTried = { ok: false, code: 'not-tried', message: 'not tried: the expression ran away on an earlier message' };
    const slow = scripted({ a: [{ v: 1 }], b: ['overrun', 'overrun'], c: [{ v: 3 }], d: [{ v: 4 }] });
    expect(await evaluateMessages(slow.evaluate, ['a', 'b', 'c', 'd'], limits, { stopAtRunaway: true })).toEqual([
      { ok: true, json: '{"v":1}' },
      { ok: false, code: 'D1012', message: 'took more than 100 ms on this message' },
      notTried,
      notTried,
    ]);
    expect(slow.calls).toEqual(['a', 'b', 'b']);
    // one overrun that a second try cures is no runaway
    const once = scripted({ a: ['overrun', { v: 1 }], b: [{ v: 2 }] });
    expect((await evaluateMessages(once.evaluate, ['a', 'b'], limits, { stopAtRunaway: true })).every((r) => r.ok)).toBe(true);
    const deep = (input: string) => (input === 'x' ? guardrail('D1011') : Promise.resolve(1));
    expect(await evaluateMessages(deep, ['x', 'y'], limits, { stopAtRunaway: true })).toEqual([
      { ok: false, code: 'D1011', message: 'recursed deeper than 500 calls' },
      notTried,
    ]);
    // a job evaluates every message
    const job = scripted({ a: ['overrun', 'overrun'], b: [{ v: 2 }] });
    expect((await evaluateMessages(job.evaluate, ['a', 'b'], limits))[1]).toEqual({ ok: true, json: '{"v":2}' });
  });

  it('tries no message past the deadline, and reports progress before each one it tries', async () => {
    let now = 1000;
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      const progress = vi.fn();
      const evaluate = (input: string) => {
        now += 40; // each message takes 40 ms
        return Promise.resolve(input);
      };
      const results = await evaluateMessages(evaluate, ['a', 'b', 'c', 'd'], limits, { deadline: 1070 }, progress);
      expect(results).toEqual([
        { ok: true, json: '"a"' },
        { ok: true, json: '"b"' },
        { ok: false, code: 'deadline', message: 'not tried: the request ran past its deadline' },
        { ok: false, code: 'deadline', message: 'not tried: the request ran past its deadline' },
      ]);
      expect(progress).toHaveBeenCalledTimes(2);
    } finally {
      clock.mockRestore();
    }
  });

  it('other errors are not tried again, and each says what it is', async () => {
    const calls: string[] = [];
    const evaluate = (input: string) => {
      calls.push(input);
      if (input === 'deep') return guardrail('D1011');
      if (input === 'bad') return Promise.reject(new Error('T2001: not a number'));
      if (input === 'none') return Promise.resolve(undefined);
      return Promise.resolve('x'.repeat(200));
    };
    expect(await evaluateMessages(evaluate, ['deep', 'bad', 'none', 'big'], limits)).toEqual([
      { ok: false, code: 'D1011', message: 'recursed deeper than 500 calls' },
      { ok: false, code: 'error', message: 'T2001: not a number' },
      { ok: false, code: 'empty', message: 'the expression returned nothing for this message' },
      { ok: false, code: 'too-large', message: 'the result is over 100 characters' },
    ]);
    expect(calls).toEqual(['deep', 'bad', 'none', 'big']);
  });
});

describe('changesDiff', () => {
  it('lists each changed value as a removed and an added line', () => {
    const diff = changesDiff(order('199.98'), order(199.98));
    expect(diff.split('\n')).toEqual(expect.arrayContaining(['@@ 1 change @@', '-/data/totalAmount: "199.98"', '+/data/totalAmount: 199.98']));
  });

  it('is bounded: at most 50 lines of changes, each value cut at 200 characters', () => {
    const before = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, i]));
    const after = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, 'v'.repeat(1000)]));
    const lines = changesDiff(before, after).split('\n');
    expect(lines.length).toBeLessThan(110);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(260);
    expect(lines).toContain(' … and 450 more');
  });

  it('shows exactly the values that differ (property)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.integer()),
        fc.string({ minLength: 1, maxLength: 5 }),
        fc.integer(),
        (obj, key, v) => {
          const after = { ...obj, [key]: v };
          const changed = !(key in obj) || obj[key] !== v;
          const diff = changesDiff(obj, after);
          expect(diff.includes(`+/${key.replace(/~/g, '~0').replace(/\//g, '~1')}: ${v}`)).toBe(changed);
        },
      ),
    );
  });
});
