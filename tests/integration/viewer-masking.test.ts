// Viewers see masked data in every response they can read, and reading the bodies of issue 14
// holds the event loop under 100 ms (measured with perf_hooks.monitorEventLoopDelay): a 120 KB
// body of plain letters, a base64url blob, a 10,000-deep JSON body, and the audit log whose
// edit diffs carry raw emails and payment ids.
import { createHash, randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '@/lib/audit/record-audit';
import { editedBodyDiff } from '@/lib/diff/republish-diff';
import { call, routeEnv, type Handler, type RouteEnv } from './route-handlers';
import { seedDeadLetter } from './triage-seed';
import { indexAllSearchBacklog } from '@/lib/bus/search-indexer';
import { viewerMasking } from '@/lib/mask/viewer-search';
import { env as settings } from '@/lib/env';

let env: RouteEnv;
const routes = {} as Record<'detail' | 'list' | 'audit' | 'groups' | 'facets' | 'export', Handler>;
const EMAIL = 'jane.doe@example.com';
const PAYMENT = 'pay_4242424242';

beforeAll(async () => {
  env = await routeEnv('viewermask');
  routes.detail = (await import('@/app/api/dead-letters/[id]/route')).GET as Handler;
  routes.list = (await import('@/app/api/dead-letters/route')).GET;
  routes.audit = (await import('@/app/api/audit/route')).GET;
  routes.groups = (await import('@/app/api/groups/route')).GET;
  routes.facets = (await import('@/app/api/dead-letters/facets/route')).GET;
  routes.export = (await import('@/app/api/dead-letters/export/route')).GET;
}, 120_000);

afterAll(async () => {
  await env?.db.drop();
});

/** The response and the longest the event loop was held while it was produced and read. */
async function measured(fn: () => Promise<Response>): Promise<{ res: Response; text: string; maxDelayMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  try {
    const res = await fn();
    // read as a browser's socket would, a chunk per turn of the loop; this process plays the
    // client too, and decoding the whole text is the client's work: left out of the measure
    const chunks: Uint8Array[] = [];
    const reader = res.body!.getReader();
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      chunks.push(next.value);
      await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 30)); // one more tick of the monitor
    const maxDelayMs = h.max / 1e6;
    return { res, text: Buffer.concat(chunks).toString('utf8'), maxDelayMs };
  } finally {
    h.disable();
  }
}

async function detailAs(role: 'viewer' | 'operator', id: string) {
  return measured(() => call(routes.detail, 'GET', `/api/dead-letters/${id}`, { headers: env.tokens[role], params: { id } }));
}

describe('the 120 KB viewer read', () => {
  it('a 120 KB body of plain letters: masked, event loop delay under 100 ms', async () => {
    const body = 'a'.repeat(120 * 1024) + ` ${EMAIL}`;
    const { id } = await seedDeadLetter(env.db.pool, { body, contentType: 'text/plain', errorMessage: `no mailbox ${EMAIL}` });
    await detailAs('viewer', id); // warm the route's modules first
    const { res, text, maxDelayMs } = await detailAs('viewer', id);
    expect(res.status).toBe(200);
    expect(text).not.toContain(EMAIL);
    expect(JSON.parse(text).body.data.endsWith(' j***@e***.com')).toBe(true);
    expect(maxDelayMs).toBeLessThan(100);
    console.log(`120 KB letters, viewer detail: max event-loop delay ${maxDelayMs.toFixed(1)} ms`);
  });

  it('a 120 KB base64url blob with addresses inside: masked, under 100 ms', async () => {
    const blob = randomBytes(88 * 1024).toString('base64url');
    const body = JSON.stringify({ eventType: 'media.processed', email: EMAIL, blob: `${blob}@${blob.slice(0, 30000)}.io`, paymentId: PAYMENT });
    const { id } = await seedDeadLetter(env.db.pool, { body });
    await detailAs('viewer', id); // a first read compiles the scanner's string-literal path
    const { res, text, maxDelayMs } = await detailAs('viewer', id);
    expect(res.status).toBe(200);
    expect(text).not.toContain(EMAIL);
    expect(text).not.toContain(PAYMENT);
    expect(maxDelayMs).toBeLessThan(100);
    const operator = await detailAs('operator', id);
    console.log(`120 KB base64url, viewer detail: max event-loop delay ${maxDelayMs.toFixed(1)} ms (operator, unmasked: ${operator.maxDelayMs.toFixed(1)} ms)`);
  });

  it('a 4 MB body of addresses: masked for a viewer (event-loop figures logged: see the 20 MB case)', async () => {
    const body = JSON.stringify({ email: EMAIL, contacts: Array.from({ length: 200_000 }, (_, i) => `user${i}@example.com`) });
    expect(body.length).toBeGreaterThan(4_000_000);
    const { id } = await seedDeadLetter(env.db.pool, { body });
    const viewer = await detailAs('viewer', id);
    expect(viewer.res.status).toBe(200);
    expect(viewer.text).not.toContain('user199999@example.com');
    expect(viewer.text).toContain('u***@e***.com');
    const operator = await detailAs('operator', id);
    console.log(`4 MB of addresses: max event-loop delay viewer ${viewer.maxDelayMs.toFixed(1)} ms, operator (unmasked) ${operator.maxDelayMs.toFixed(1)} ms`);
  });

  it("a viewer gets the size and sha256 of the masked body it is shown, never the stored bytes' (they would give the address away)", async () => {
    const stored = Buffer.from(JSON.stringify({ eventType: 'user.created', data: { email: EMAIL, paymentId: PAYMENT, plan: 'pro' } }));
    const { id } = await seedDeadLetter(env.db.pool, { body: stored });
    const bodyOf = (text: string) => JSON.parse(text).body as { data: string; sizeBytes: number; sha256: string };
    const viewer = bodyOf((await detailAs('viewer', id)).text);
    expect(viewer.data).not.toContain(EMAIL);
    expect(viewer.data).not.toContain(PAYMENT);
    expect(viewer.sizeBytes).toBe(Buffer.byteLength(viewer.data));
    expect(viewer.sha256).toBe(createHash('sha256').update(viewer.data).digest('hex'));
    expect(viewer.sha256).not.toBe(createHash('sha256').update(stored).digest('hex'));
    const operator = bodyOf((await detailAs('operator', id)).text);
    expect(operator).toMatchObject({ data: stored.toString(), sizeBytes: stored.length, sha256: createHash('sha256').update(stored).digest('hex') });
  });

  it('a body that is not UTF-8 (Latin-1 JSON) is masked for a viewer too, bytes and hash', async () => {
    const stored = Buffer.from(`{"email":"j\u00f6rg@example.com","paymentId":"${PAYMENT}","note":"caf\u00e9"}`, 'latin1');
    const { id } = await seedDeadLetter(env.db.pool, { body: stored });
    const viewer = JSON.parse((await detailAs('viewer', id)).text).body as { encoding: string; data: string; sizeBytes: number; sha256: string };
    expect(viewer.encoding).toBe('base64');
    const shown = Buffer.from(viewer.data, 'base64');
    expect(shown.toString('latin1')).not.toContain(PAYMENT);
    expect(shown.toString('latin1')).not.toContain('example.com');
    expect(shown.toString('latin1')).toContain('caf\u00e9'); // the other bytes where they were
    expect(viewer.sizeBytes).toBe(shown.length);
    expect(viewer.sha256).toBe(createHash('sha256').update(shown).digest('hex'));
  });

  // RabbitMQ lets bodies reach 128 MB: the detail reads them in 1 MB pieces and sends them in
  // slices, never as one string (lib/server/dead-letters/read-message-body.ts, lib/api/json-stream.ts).
  // Multi-MB figures are logged, not asserted: on 2 shared cores a GC or a neighbour's burst
  // moves them by tens of ms (the README's "Event-loop budget" lists what was measured).
  it('a 20 MB body, text and binary: the exact bytes for an operator, its size only for a viewer (event-loop figures logged)', async () => {
    const text = Buffer.from(JSON.stringify({ eventType: 'media.processed', email: EMAIL, blob: 'x'.repeat(20 * 1024 * 1024), tail: '😀' }));
    const binary = randomBytes(20 * 1024 * 1024);
    for (const [label, bytes] of [
      ['text', text],
      ['binary', binary],
    ] as const) {
      const { id } = await seedDeadLetter(env.db.pool, { body: bytes });
      const { res, text: json, maxDelayMs } = await detailAs('operator', id);
      expect(res.status).toBe(200);
      const body = JSON.parse(json).body as { encoding: BufferEncoding; data: string; sizeBytes: number; sha256: string };
      expect(body.encoding).toBe(label === 'text' ? 'utf8' : 'base64');
      expect(body.sizeBytes).toBe(bytes.length);
      expect(body.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(Buffer.from(body.data, body.encoding).equals(bytes)).toBe(true);
      console.log(`20 MB ${label}, operator detail: max event-loop delay ${maxDelayMs.toFixed(1)} ms`);
      // over 8 MB: not masked, so not shown to a viewer (masking 100 MB held the loop 3.8 s); its size only
      const viewer = await detailAs('viewer', id);
      expect(viewer.res.status).toBe(200);
      expect(JSON.parse(viewer.text).body).toEqual({
        encoding: expect.any(String),
        data: '',
        sizeBytes: bytes.length,
        sha256: '',
        omitted: 'The body is 20.0 MB: bodies over 8 MB are not masked for viewers, so not shown to them (an operator sees it whole).',
      });
      console.log(`20 MB ${label}, viewer detail: max event-loop delay ${viewer.maxDelayMs.toFixed(1)} ms`);
    }
  });

  it('a 10,000-deep JSON body: 200 for a viewer, masked', async () => {
    const body = '{"a":'.repeat(10_000) + `{"email":"${EMAIL}"}` + '}'.repeat(10_000);
    const { id } = await seedDeadLetter(env.db.pool, { body });
    const { res, text, maxDelayMs } = await detailAs('viewer', id);
    expect(res.status).toBe(200);
    expect(text).not.toContain(EMAIL);
    expect(maxDelayMs).toBeLessThan(100);
    const operator = await detailAs('operator', id);
    expect(operator.res.status).toBe(200);
    expect(operator.text).toContain(EMAIL);
  });
});

describe('audit log masking', () => {
  beforeAll(async () => {
    const original = JSON.stringify({ eventType: 'order.created', email: EMAIL, paymentId: PAYMENT, amount: 5 });
    const edited = JSON.stringify({ eventType: 'order.created', email: 'john@example.org', paymentId: 'pay_1111111111', amount: 6 });
    const client = await env.db.pool.connect();
    try {
      await recordAudit(client, [
        {
          actor: 'ops@corp.example',
          action: 'edit-republish',
          target: 'dead-letter:x',
          reason: `customer ${EMAIL} asked`,
          details: { diff: editedBodyDiff(original, edited), email: EMAIL },
        },
      ]);
    } finally {
      client.release();
    }
  });

  it('a viewer sees the edit diff with emails and payment ids masked; the actor stays', async () => {
    const res = await call(routes.audit, 'GET', '/api/audit', { headers: env.tokens.viewer });
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const secret of [EMAIL, PAYMENT, 'john@example.org', 'pay_1111111111']) expect(text).not.toContain(secret);
    const entry = JSON.parse(text).items[0];
    expect(entry.actor).toBe('ops@corp.example');
    expect(entry.details.diff).toContain('"paymentId": "p***2"');
    expect(entry.details.diff).toContain('"email": "j***@e***.com"');
    expect(entry.reason).toBe('customer j***@e***.com asked');
  });

  it('an operator sees the diff as written', async () => {
    const text = await (await call(routes.audit, 'GET', '/api/audit', { headers: env.tokens.operator })).text();
    expect(text).toContain(PAYMENT);
    expect(text).toContain(EMAIL);
  });
});

describe('other viewer reads', () => {
  it('list and groups mask addresses in error messages and signatures', async () => {
    await seedDeadLetter(env.db.pool, { errorMessage: `mailbox full for user@localhost.example and "paymentId": "${PAYMENT}"` });
    for (const route of [routes.list, routes.groups]) {
      const text = await (await call(route, 'GET', '/api/x', { headers: env.tokens.viewer })).text();
      expect(text).not.toContain('user@localhost.example');
      expect(text).not.toContain(PAYMENT);
    }
  });

  it("a viewer's search never finds a record by a masked value (list, facets, export); an operator's does", async () => {
    const tag = `quince${createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 8)}`;
    const email = `ann.${tag}@example.com`;
    const payment = `pay_${tag}`;
    const { id } = await seedDeadLetter(env.db.pool, {
      body: { eventType: 'payment.completed', version: '1.0', data: { email, paymentId: payment, note: `${tag}note` } },
    });
    // its documents built by the search indexer from its message, with the console's masking
    await env.db.pool.query('DELETE FROM dead_letter_search WHERE dead_letter_id = $1', [id]);
    await env.db.pool.query('INSERT INTO search_backlog (dead_letter_id, message_id) SELECT id, latest_message_id FROM dead_letters WHERE id = $1', [id]);
    await indexAllSearchBacklog(env.db.pool, viewerMasking(settings().MASK_FIELDS));

    const ids = async (role: 'viewer' | 'operator', q: string) => {
      const res = await call(routes.list, 'GET', `/api/dead-letters?q=${encodeURIComponent(q)}`, { headers: env.tokens[role] });
      expect(res.status).toBe(200);
      return ((await res.json()) as { items: { id: string }[] }).items.map((d) => d.id);
    };
    const total = async (role: 'viewer' | 'operator', q: string) => {
      const res = await call(routes.facets, 'GET', `/api/dead-letters/facets?q=${encodeURIComponent(q)}`, { headers: env.tokens[role] });
      expect(res.status).toBe(200);
      const { facets } = (await res.json()) as { facets: { status: { count: number }[] } };
      return facets.status.reduce((n, f) => n + f.count, 0);
    };
    const exported = async (role: 'viewer' | 'operator', q: string) => {
      const res = await call(routes.export, 'GET', `/api/dead-letters/export?format=ndjson&q=${encodeURIComponent(q)}`, { headers: env.tokens[role] });
      expect(res.status).toBe(200);
      return (await res.text()).split('\n').filter(Boolean).length;
    };
    for (const secret of [email, payment]) {
      expect(await ids('operator', secret)).toEqual([id]);
      expect(await ids('viewer', secret)).toEqual([]);
      expect(await total('operator', secret)).toBe(1);
      expect(await total('viewer', secret)).toBe(0);
      expect(await exported('operator', secret)).toBe(1);
      expect(await exported('viewer', secret)).toBe(0);
    }
    expect(await ids('viewer', `${tag}note`)).toEqual([id]);
  });

  it('a viewer cannot filter by a value it is shown masked (an address as correlation id): 400 naming the filter, whatever is stored', async () => {
    const address = `corr.${createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 8)}@example.com`;
    const { id } = await seedDeadLetter(env.db.pool, { correlationId: address });
    const list = (role: 'viewer' | 'operator', query: string) => call(routes.list, 'GET', `/api/dead-letters?${query}`, { headers: env.tokens[role] });
    const operator = await list('operator', `correlationId=${encodeURIComponent(address)}`);
    expect(((await operator.json()) as { items: { id: string }[] }).items.map((d) => d.id)).toEqual([id]);
    for (const query of [
      `correlationId=${encodeURIComponent(address)}`,
      `correlationId=${encodeURIComponent('nobody@example.com')}`,
      `queue=${encodeURIComponent(address)}`,
    ]) {
      const res = await list('viewer', query);
      expect(res.status, query).toBe(400);
      const body = (await res.json()) as { error: { code: string; details: { field: string }[] } };
      expect(body.error.details.map((d) => d.field)).toEqual([query.split('=')[0]]);
    }
    for (const route of [routes.facets, routes.export]) {
      const res = await call(route, 'GET', `/api/x?format=csv&correlationId=${encodeURIComponent(address)}`, { headers: env.tokens.viewer });
      expect(res.status).toBe(400);
    }
    // a value masking leaves alone is filtered as before
    expect((await list('viewer', 'correlationId=order-12345')).status).toBe(200);
  });

  it('a byte-array header (stored {"$bytes": base64}) holding an address: masked in the detail a viewer reads (found by a probe)', async () => {
    const address = `bytes.${createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 8)}@victim.example`;
    const { id } = await seedDeadLetter(env.db.pool, { headers: { 'x-customer': { $bytes: Buffer.from(address).toString('base64') } } });
    const shown = (text: string) =>
      Buffer.from((JSON.parse(text) as { headers: Record<string, { $bytes: string }> }).headers['x-customer'].$bytes, 'base64').toString('latin1');
    expect(shown((await detailAs('operator', id)).text)).toBe(address);
    const viewer = shown((await detailAs('viewer', id)).text);
    expect(viewer).not.toContain(address.split('@')[0]);
    expect(viewer).toMatch(/\*\*\*@/);
  });

  it("the groups list too: a viewer's queue filter on an address is refused, whatever is stored (found by a probe)", async () => {
    const queue = `replies.${createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 8)}@victim.example`;
    await seedDeadLetter(env.db.pool, { queue });
    const groups = (role: 'viewer' | 'operator', query: string) => call(routes.groups, 'GET', `/api/groups?${query}`, { headers: env.tokens[role] });
    const operator = await groups('operator', `queue=${encodeURIComponent(queue)}`);
    expect(((await operator.json()) as { items: { queue: string }[] }).items.map((g) => g.queue)).toEqual([queue]);
    for (const value of [queue, 'someone.else@victim.example']) {
      const res = await groups('viewer', `queue=${encodeURIComponent(value)}`);
      expect(res.status, value).toBe(400);
      const body = (await res.json()) as { error: { details: { field: string }[] } };
      expect(body.error.details.map((d) => d.field)).toEqual(['queue']);
    }
    expect((await groups('viewer', 'queue=notification-service')).status).toBe(200);
  });
});
