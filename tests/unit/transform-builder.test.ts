// The bulk transform builder compiles what it says: generated JSON Patches are applied with
// fast-json-patch and generated JSONata expressions evaluated with jsonata on sample bodies, and
// the results compared with the body the steps describe; bad steps are refused with a message.
import { describe, expect, it } from 'vitest';
import jsonata from 'jsonata';
import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { bulkTransformSchema, type BulkTransform } from '@/lib/schemas/bulk';
import { compileTransform } from '@/lib/transform/apply-transform';
import { compileSteps, describeTransform, escapePointerToken, parseFieldPath, type BuilderStep } from '@/lib/transform/builder';

const order = () => ({
  eventId: '3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f',
  eventType: 'order.created',
  timestamp: '2026-11-20T10:34:00Z',
  version: '1.0',
  source: 'ecommerce-service',
  data: { orderId: 'order123', userId: 'user123', courseIds: ['course123'], total: '199.98', currency: 'USD', count: 3 },
});

function compiled(steps: BuilderStep[]): BulkTransform {
  const result = compileSteps(steps);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  // whatever the builder makes, the server's request schema takes
  expect(bulkTransformSchema.parse(result.transform)).toEqual(result.transform);
  return result.transform;
}

/** The transform applied as the server would: a patch on a copy, or the expression's result. */
async function apply(transform: BulkTransform, body: unknown): Promise<unknown> {
  if (transform.kind === 'patch') {
    return fastJsonPatch.applyPatch(structuredClone(body), transform.operations as Operation[], true, false).newDocument;
  }
  return jsonata(transform.expression).evaluate(structuredClone(body));
}

describe('compileSteps: JSON Patch for set / remove / rename / set version', () => {
  it('set field adds (or replaces) the value at the pointer', async () => {
    const t = compiled([{ kind: 'set', path: 'data.currency', value: '"EUR"' }]);
    expect(t).toEqual({ kind: 'patch', operations: [{ op: 'add', path: '/data/currency', value: 'EUR' }] });
    const out = await apply(t, order());
    expect(out).toEqual({ ...order(), data: { ...order().data, currency: 'EUR' } });
  });

  it('set field creates a missing field and takes any JSON value', async () => {
    const t = compiled([{ kind: 'set', path: 'data.meta', value: '{"fixed": true, "tags": ["a"], "n": null}' }]);
    const out = (await apply(t, order())) as ReturnType<typeof order> & { data: { meta: unknown } };
    expect(out.data.meta).toEqual({ fixed: true, tags: ['a'], n: null });
  });

  it('remove, rename and set version compile to remove, move and add on /version', async () => {
    const t = compiled([
      { kind: 'remove', path: 'source' },
      { kind: 'rename', from: 'data.total', to: 'totalAmount' },
      { kind: 'set-version', value: '1.1' },
    ]);
    expect(t).toEqual({
      kind: 'patch',
      operations: [
        { op: 'remove', path: '/source' },
        { op: 'move', from: '/data/total', path: '/data/totalAmount' },
        { op: 'add', path: '/version', value: '1.1' },
      ],
    });
    const { source: _source, ...rest } = order();
    const { total, ...data } = order().data;
    expect(await apply(t, order())).toEqual({ ...rest, version: '1.1', data: { ...data, totalAmount: total } });
  });

  it('rename takes the whole new path when it stays in the same object', () => {
    expect(compiled([{ kind: 'rename', from: 'data.total', to: 'data.totalAmount' }])).toEqual({
      kind: 'patch',
      operations: [{ op: 'move', from: '/data/total', path: '/data/totalAmount' }],
    });
  });

  it('escapes "~" and "/" in names per RFC 6901 (~ first), and the patch reaches those fields', async () => {
    expect(escapePointerToken('a~/b')).toBe('a~0~1b');
    expect(escapePointerToken('~1')).toBe('~01');
    const t = compiled([{ kind: 'set', path: 'data.a/b~c', value: '1' }]);
    expect(t).toEqual({ kind: 'patch', operations: [{ op: 'add', path: '/data/a~1b~0c', value: 1 }] });
    const out = (await apply(t, order())) as { data: Record<string, unknown> };
    expect(out.data['a/b~c']).toBe(1);
  });

  it('a remove of a missing field fails the patch (the preview reports it as an error)', async () => {
    const t = compiled([{ kind: 'remove', path: 'data.nope' }]);
    await expect(apply(t, order())).rejects.toThrow();
  });
});

describe('compileSteps: one JSONata expression once a conversion is in the list', () => {
  it('convert to number, as in the issue', async () => {
    const t = compiled([{ kind: 'to-number', path: 'data.total' }]);
    expect(t).toEqual({ kind: 'jsonata', expression: '$ ~> | `data` | {"total": $number(`total`)} |' });
    expect(await apply(t, order())).toEqual({ ...order(), data: { ...order().data, total: 199.98 } });
  });

  it('convert to string', async () => {
    const t = compiled([{ kind: 'to-string', path: 'data.count' }]);
    expect(await apply(t, order())).toEqual({ ...order(), data: { ...order().data, count: '3' } });
  });

  it('every step kind chained in order, with the same result the steps describe', async () => {
    const t = compiled([
      { kind: 'rename', from: 'data.total', to: 'totalAmount' },
      { kind: 'to-number', path: 'data.totalAmount' },
      { kind: 'set', path: 'data.note', value: '"Line \\"one\\"\\nä \\u00e9"' },
      { kind: 'set', path: 'data.list', value: '[1]' },
      { kind: 'remove', path: 'data.count' },
      { kind: 'set-version', value: '1.1' },
      { kind: 'to-string', path: 'timestamp' },
    ]);
    expect(t.kind).toBe('jsonata');
    const expression = (t as { expression: string }).expression;
    expect(expression).toContain('| `data` | {"totalAmount": `total`}, ["total"] |');
    expect(expression).toContain('| `data` | {}, ["count"] |');
    expect(expression).toContain('| $ | {"version": "1.1"} |');
    const { total, count: _count, ...data } = order().data;
    expect(await apply(t, order())).toEqual({
      ...order(),
      version: '1.1',
      data: { ...data, totalAmount: Number(total), note: 'Line "one"\nä é', list: [1] },
    });
  });

  it('nested paths and names JSONata would otherwise read as operators or keywords', async () => {
    const body = { data: { 'line-items': { 'unit price': '5', and: 'x' } } };
    const t = compiled([
      { kind: 'to-number', path: 'data.line-items.unit price' },
      { kind: 'rename', from: 'data.line-items.and', to: 'or' },
    ]);
    expect(await apply(t, body)).toEqual({ data: { 'line-items': { 'unit price': 5, or: 'x' } } });
  });

  it('a conversion of a missing field, or under a missing parent, changes nothing', async () => {
    const t = compiled([
      { kind: 'to-number', path: 'data.missing' },
      { kind: 'to-number', path: 'nothing.here' },
    ]);
    expect(await apply(t, order())).toEqual(order());
  });

  it('a conversion that cannot convert fails when evaluated (the preview reports it as an error)', async () => {
    const t = compiled([{ kind: 'to-number', path: 'data.currency' }]);
    await expect(apply(t, order())).rejects.toThrow();
  });
});

describe('compileSteps: refuses bad steps with a message per field', () => {
  const problems = (steps: BuilderStep[]) => {
    const r = compileSteps(steps);
    return r.ok ? [] : r.problems;
  };

  it('no steps', () => {
    expect(problems([])).toEqual([expect.objectContaining({ message: 'add at least one step' })]);
  });

  it('an empty path, an empty name between dots, an array position, a back-quote', () => {
    expect(problems([{ kind: 'remove', path: '  ' }])).toEqual([{ step: 0, field: 'path', message: expect.stringMatching(/required/) }]);
    expect(problems([{ kind: 'remove', path: 'data..x' }])[0].message).toMatch(/empty name/);
    expect(problems([{ kind: 'remove', path: 'data.items.0' }])[0].message).toMatch(/array positions/);
    expect(problems([{ kind: 'to-number', path: 'data.a`b' }])[0].message).toMatch(/back-quote/);
  });

  it('a set value that is not JSON, or missing', () => {
    expect(problems([{ kind: 'set', path: 'data.currency', value: 'EUR' }])).toEqual([
      { step: 0, field: 'value', message: expect.stringMatching(/not valid JSON.*double quotes/) },
    ]);
    expect(problems([{ kind: 'set', path: 'data.currency', value: '' }])[0].message).toMatch(/value is required/);
  });

  it('a version that is not major.minor', () => {
    expect(problems([{ kind: 'set-version', value: 'v2' }])).toEqual([{ step: 0, field: 'value', message: expect.stringMatching(/<major>\.<minor>/) }]);
  });

  it('a rename to another object or to the same name', () => {
    expect(problems([{ kind: 'rename', from: 'data.total', to: 'meta.total' }])[0]).toMatchObject({
      field: 'to',
      message: expect.stringMatching(/keeps the field in data/),
    });
    expect(problems([{ kind: 'rename', from: 'data.total', to: 'total' }])[0].message).toMatch(/same/);
  });

  it('reports every bad step at once, by index', () => {
    const p = problems([
      { kind: 'set', path: '', value: 'x' },
      { kind: 'to-number', path: 'data.ok' },
      { kind: 'rename', from: 'a', to: '' },
    ]);
    expect(p.map((x) => [x.step, x.field])).toEqual([
      [0, 'path'],
      [0, 'value'],
      [2, 'to'],
    ]);
  });
});

describe('parseFieldPath and describeTransform', () => {
  it('splits dotted paths, trimming the ends', () => {
    expect(parseFieldPath(' data.totalAmount ')).toEqual({ ok: true, segments: ['data', 'totalAmount'] });
  });

  it('describes a patch and an expression in one line', () => {
    expect(
      describeTransform({
        kind: 'patch',
        operations: [
          { op: 'add', path: '/data/currency', value: 'EUR' },
          { op: 'move', from: '/a', path: '/b' },
        ],
      }),
    ).toBe('JSON Patch: set /data/currency = "EUR"; move /a → /b');
    expect(describeTransform({ kind: 'jsonata', expression: '$ ~>\n  | data | {"a": 1} |' })).toBe('JSONata: $ ~> | data | {"a": 1} |');
  });
});

describe("the server's transform takes what the builder makes", () => {
  // lib/transform/apply-transform.ts runs JSONata in its worker with its guardrails: the builder's
  // chained transforms must pass them, and its patches its JSON Patch checks.
  const broken = () => ({ ...order(), data: { orderId: 'order123', userId: 'user123', courseIds: ['course123'], totalAmount: '199.98', currency: 'usd' } });
  const outcome = async (steps: BuilderStep[]) => {
    const [out] = await compileTransform(compiled(steps)).apply([{ id: 'x', body: Buffer.from(JSON.stringify(broken())) }]);
    return out;
  };

  it('a conversion and a set (JSONata) fix a body that broke the contract', async () => {
    const out = await outcome([
      { kind: 'to-number', path: 'data.totalAmount' },
      { kind: 'set', path: 'data.currency', value: '"USD"' },
    ]);
    expect(out).toMatchObject({ outcome: 'change', error: null, validation: { status: 'valid' } });
    expect(JSON.parse(out.bytes!.toString()).data).toMatchObject({ totalAmount: 199.98, currency: 'USD' });
  });

  it('a set alone (JSON Patch) leaves the string amount: the contract still breaks', async () => {
    const out = await outcome([{ kind: 'set', path: 'data.currency', value: '"USD"' }]);
    expect(out.outcome).toBe('break');
  });
});
