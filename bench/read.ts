// npm run bench:read — the triage read path at a million dead letters.
// Loads 1,000,000 dead letters (10 types, 15 queues, 4 reasons, ~200 failure groups, ~1 KB JSON
// bodies, with their raw messages and consistent failure-group rollups) into a fresh database
// with INSERT ... SELECT generate_series (indexes built after the load, as a restore would),
// starts the production server on it, and measures p50/p95 of the HTTP API, one request at a
// time. Targets at 1M: list p95 <= 50 ms, groups <= 200 ms, search <= 300 ms, detail <= 30 ms.
// Env: BENCH_ROWS (default 1000000), BENCH_SAMPLES (default 60), NEXT_DIST_DIR (the build),
// BENCH_KEEP=1 (keep the database), BENCH_REUSE=<database> (measure a kept one, no load).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ensureDatabase, dropDatabase } from '@/lib/db/ensure-database';
import { maskKey } from '@/lib/mask/viewer-search';
import { migrate } from '@/lib/db/migrate';
import { groupId, groupKey, normaliseError } from '@/lib/groups/signature';
import { startNextServer, type RunningServer } from '../tests/helpers/next-server';
import { bearer, createTestToken } from '../tests/helpers/auth';
import { ignoreCleanupError } from '../tests/helpers/cleanup';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 60);
/** the key of viewers' documents under the default MASK_FIELDS, which the benchmark's server runs with */
const VIEWER_MASK_KEY = maskKey(['email', 'paymentId']);
const CHUNK = 100_000;
const PG_SERVER = process.env.TEST_PG_SERVER ?? 'postgresql://postgres@127.0.0.1:5432';
const TARGETS = { list: 50, groups: 200, search: 300, detail: 30 };

const TYPES = [
  'user.created',
  'user.updated',
  'course.created',
  'course.enrolled',
  'course.completed',
  'assignment.submitted',
  'grade.posted',
  'payment.succeeded',
  'payment.failed',
  'notification.sent',
];
const QUEUES = [
  'notification-service',
  'analytics-service',
  'billing-service',
  'grading-service',
  'search-indexer',
  'email-service',
  'audit-service',
  'recommendation-service',
  'certificate-service',
  'crm-sync',
  'reporting-service',
  'enrolment-service',
  'payment-service',
  'profile-service',
  'webhook-dispatcher',
];
const NAMES = [
  'alpha',
  'bravo',
  'charlie',
  'delta',
  'echo',
  'foxtrot',
  'golf',
  'hotel',
  'india',
  'juliet',
  'kilo',
  'lima',
  'mike',
  'november',
  'oscar',
  'papa',
  'quebec',
  'romeo',
  'sierra',
  'tango',
];
const TEMPLATES = [
  'Timeout after {n} ms calling {w}-service for user {uuid}',
  'duplicate key value violates unique constraint "{w}_pkey" (id={n})',
  'Validation failed: field {w} is required (record {n})',
  'Connection refused to {w}.internal:{n}',
  'NullReferenceException in {w}Handler.Handle at line {n}',
  'User {uuid} not found in {w} directory',
  'Rate limit exceeded on {w}: {n} requests per minute',
  'Course {n} is closed for enrolment ({w})',
  'Payment {uuid} declined by {w}: insufficient funds',
  'Deadlock detected while updating {w} row {n}',
];
const WORDS =
  'student course grade lesson module quiz exam teacher campus library semester enrolment credit transcript deadline assignment lecture seminar tutorial portfolio feedback rubric attendance syllabus faculty department scholarship tuition invoice refund receipt certificate badge progress milestone cohort mentor review discussion forum thread reply upload download video audio document slide notebook project team group schedule calendar reminder notification message inbox profile avatar password session token login logout account settings preference language timezone country region address phone'.split(
    ' ',
  );

interface BenchGroup {
  g: number;
  eventType: string;
  queue: string;
  reason: string;
  template: string;
  signature: string;
  id: string;
}

function makeGroups(): BenchGroup[] {
  const out: BenchGroup[] = [];
  for (let g = 0; g < 200; g++) {
    const w = NAMES[g % 20] + NAMES[Math.floor(g / 20) % 20];
    const template = TEMPLATES[(g * 3 + Math.floor(g / 7)) % 10].replace('{w}', w);
    const m = g % 20;
    const reason = m < 14 ? 'rejected' : m < 17 ? 'expired' : m < 19 ? 'delivery_limit' : 'maxlen';
    const eventType = TYPES[g % 10];
    const queue = QUEUES[(g * 7 + Math.floor(g / 10)) % 15];
    const example = template.replace('{n}', '12345').replace('{uuid}', '7f3c2a10-1111-4e2b-9c3d-0123456789ab');
    const key = groupKey({ eventType, queue, reason, errorMessage: example });
    out.push({ g, eventType, queue, reason, template, signature: normaliseError(example), id: groupId(key) });
  }
  return out;
}

function lorem(): string {
  const out: string[] = [];
  let x = 7;
  for (let i = 0; i < 400; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out.push(WORDS[x % WORDS.length]);
  }
  return out.join(' ');
}

const since = (t: number) => `${((performance.now() - t) / 1000).toFixed(1)} s`;

async function load(client: pg.Client) {
  const groups = makeGroups();
  await client.query(
    `CREATE TEMP TABLE bench_groups (g int PRIMARY KEY, event_type text, queue text, reason text, template text, signature text, group_id text)`,
  );
  await client.query(`INSERT INTO bench_groups SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`, [
    groups.map((g) => g.g),
    groups.map((g) => g.eventType),
    groups.map((g) => g.queue),
    groups.map((g) => g.reason),
    groups.map((g) => g.template),
    groups.map((g) => g.signature),
    groups.map((g) => g.id),
  ]);

  // bulk load without secondary indexes and the FK, then build them once (as pg_restore does)
  const { rows: indexes } = await client.query<{ indexname: string; indexdef: string }>(
    `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename IN ('dead_letters', 'dead_letters_by_status', 'dead_letter_messages', 'dead_letter_search') AND indexname NOT LIKE '%\\_pkey'`,
  );
  const { rows: fks } = await client.query<{ conname: string; tbl: string; def: string }>(
    `SELECT conname, conrelid::regclass::text AS tbl, pg_get_constraintdef(oid) AS def FROM pg_constraint
     WHERE conrelid IN ('dead_letter_messages'::regclass, 'dead_letter_search'::regclass) AND contype = 'f'`,
  );
  for (const f of fks) await client.query(`ALTER TABLE ${f.tbl} DROP CONSTRAINT "${f.conname}"`);
  for (const i of indexes) await client.query(`DROP INDEX "${i.indexname}"`);

  const t0 = performance.now();
  const text = lorem();
  for (let lo = 0; lo < ROWS; lo += CHUNK) {
    const hi = Math.min(ROWS, lo + CHUNK);
    await client.query(
      `WITH base AS (
         SELECT i,
                -- skewed: a few groups hold most dead letters, as one bug usually does
                floor(200 * power(((i::bigint * 2654435761) % 1000003) / 1000003.0, 2.2))::int AS g,
                ((i::bigint * 40503) % 1000)::int AS r,
                md5('ev' || i)::uuid::text AS ev,
                now() - make_interval(secs => (i::float8 / $3) * 604800) AS ts
         FROM generate_series($1::int, $2::int - 1) AS i
       ), src AS (
         SELECT b.*, bg.event_type, bg.queue, bg.reason, bg.group_id,
                replace(replace(bg.template, '{n}', (b.i % 9973)::text), '{uuid}', md5('u' || (b.i % 20000))::uuid::text) AS err,
                CASE WHEN b.r < 900 THEN 'pending' WHEN b.r < 970 THEN 'republished' ELSE 'discarded' END AS status,
                CASE WHEN b.r % 100 < 85 THEN 'valid' WHEN b.r % 100 < 93 THEN 'invalid' WHEN b.r % 100 < 96 THEN 'unparseable'
                     WHEN b.r % 100 < 98 THEN 'unknown-type' ELSE 'unsupported-version' END AS validity,
                'corr-' || (b.i / 3) AS corr,
                json_build_object(
                  'eventId', b.ev, 'eventType', bg.event_type, 'timestamp', to_char(b.ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                  'version', '1.' || (b.i % 3), 'source', bg.queue,
                  'data', json_build_object(
                    'userId', 'u-' || (b.i % 50000), 'email', 'student' || (b.i % 50000) || '@example.edu',
                    'courseId', 'course-' || (b.i % 700), 'amount', (b.i % 10000) / 100.0,
                    'reference', md5('ref' || b.i),
                    'description', substr($4, 1 + (b.i % 1500), 640)))::text AS body
         FROM base b JOIN bench_groups bg ON bg.g = b.g
       ), dl AS (
         INSERT INTO dead_letters (id, event_key, event_key_source, event_id, event_type, version, routing_key, queue, reason, exchange,
           status, attempts, republish_count, first_failed_at, last_failed_at, received_at, updated_at, error_message, validation_status,
           violations, correlation_id, group_id, content_type, body_size, body_sha256, latest_message_id)
         SELECT md5('dl' || i)::uuid, ev, 'event-id', ev, event_type, '1.' || (i % 3), event_type, queue, reason, 'edu.events',
           status, 1 + (r % 4), CASE WHEN status = 'republished' THEN 1 ELSE 0 END, ts - interval '3 minutes', ts, ts, ts, err, validity,
           CASE WHEN validity = 'invalid' THEN '[{"path": "$.data.email", "message": "Invalid email address"}]'::jsonb ELSE '[]'::jsonb END,
           corr, group_id, 'application/json', octet_length(body), encode(sha256(convert_to(body, 'UTF8')), 'hex'), i + 1
         FROM src
         RETURNING 1
       ), fts AS (
         -- what the search indexer builds from the drain's backlog (body text + error message), and
         -- viewers' document from the same text with its addresses masked (the masker's work
         -- approximated in SQL: what viewers search must be there, or their searches are measured
         -- against nothing)
         INSERT INTO dead_letter_search (dead_letter_id, document, viewer_document, mask_key, backlog_id)
         SELECT md5('dl' || i)::uuid, to_tsvector('simple'::regconfig, body || ' ' || err),
                to_tsvector('simple'::regconfig, regexp_replace(body || ' ' || err, '([A-Za-z0-9])[A-Za-z0-9._%+-]*@([A-Za-z0-9])[A-Za-z0-9.-]*(\\.[A-Za-z]+)', '\\1***@\\2***\\3', 'g')),
                '${VIEWER_MASK_KEY}', 0 FROM src
       )
       INSERT INTO dead_letter_messages (id, dead_letter_id, fingerprint, body, properties, headers, deaths, received_at)
       SELECT i + 1, md5('dl' || i)::uuid, md5('fp' || i), convert_to(body, 'UTF8'),
         jsonb_build_object('contentType', 'application/json', 'messageId', ev, 'correlationId', corr, 'deliveryMode', 2,
                            'timestamp', jsonb_build_object('$timestamp', extract(epoch FROM ts)::bigint)),
         jsonb_build_object('x-correlation-id', corr, 'x-exception-message', err, 'x-first-death-queue', queue, 'x-first-death-reason', reason),
         jsonb_build_array(jsonb_build_object('queue', queue, 'reason', reason, 'count', 1 + (r % 4), 'exchange', 'edu.events',
                            'routingKeys', jsonb_build_array(event_type), 'time', ts)),
         ts
       FROM src`,
      [lo, hi, ROWS, text],
    );
    process.stdout.write(`  loaded ${hi.toLocaleString('en-US')} rows (${since(t0)})\n`);
  }
  await client.query(`SELECT setval(pg_get_serial_sequence('dead_letter_messages', 'id'), $1)`, [ROWS + 1]);

  // the rollups the drain maintains on write, computed once for the loaded rows
  await client.query(
    `INSERT INTO failure_groups (id, event_type, queue, reason, signature, count, pending_count, first_seen_at, last_seen_at)
     SELECT d.group_id, g.event_type, g.queue, g.reason, g.signature, count(*), count(*) FILTER (WHERE d.status = 'pending'),
            min(d.first_failed_at), max(d.last_failed_at)
     FROM dead_letters d JOIN (SELECT DISTINCT ON (group_id) * FROM bench_groups) g ON g.group_id = d.group_id
     GROUP BY d.group_id, g.event_type, g.queue, g.reason, g.signature`,
  );
  await client.query(
    `INSERT INTO failure_group_hours (group_id, hour, count)
     SELECT group_id, date_trunc('hour', last_failed_at), count(*) FROM dead_letters GROUP BY 1, 2`,
  );
  const tLoad = performance.now();
  console.log(`  rows and rollups: ${since(t0)}`);

  await client.query(`SET maintenance_work_mem = '1GB'`);
  await client.query(`SET max_parallel_maintenance_workers = 2`);
  for (const i of indexes) {
    const t = performance.now();
    await client.query(i.indexdef);
    console.log(`  index ${i.indexname}: ${since(t)}`);
  }
  for (const f of fks) await client.query(`ALTER TABLE ${f.tbl} ADD CONSTRAINT "${f.conname}" ${f.def}`);
  const t = performance.now();
  await client.query('VACUUM ANALYZE dead_letters');
  await client.query('VACUUM ANALYZE dead_letters_by_status');
  await client.query('VACUUM ANALYZE dead_letter_messages');
  await client.query('VACUUM ANALYZE dead_letter_search');
  await client.query('ANALYZE failure_groups');
  await client.query('ANALYZE failure_group_hours');
  console.log(`  vacuum analyze: ${since(t)}; indexes + vacuum ${since(tLoad)}; total load ${since(t0)}`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

interface Result {
  name: string;
  kind: keyof typeof TARGETS | 'facets';
  p50: number;
  p95: number;
  items: number;
}

async function measure(server: RunningServer, headers: Record<string, string>, name: string, kind: Result['kind'], paths: string[]): Promise<Result> {
  const times: number[] = [];
  let items = 0;
  for (let i = 0; i < SAMPLES + 5; i++) {
    const path = paths[i % paths.length];
    const t = performance.now();
    const res = await fetch(server.url + path, { headers });
    const body = (await res.json()) as { items?: unknown[] };
    const ms = performance.now() - t;
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${JSON.stringify(body)}`);
    if (i >= 5) times.push(ms);
    items = body.items?.length ?? 1;
  }
  times.sort((a, b) => a - b);
  return { name, kind, p50: percentile(times, 50), p95: percentile(times, 95), items };
}

const cursorAt = (ms: number, id: string) => Buffer.from(`n.${ms}.${id}`).toString('base64url');

async function main() {
  // BENCH_REUSE=<database> measures a database kept by an earlier run (BENCH_KEEP=1): no load
  const reuse = process.env.BENCH_REUSE;
  const name = reuse ?? `eventdesk_bench_read_${randomBytes(4).toString('hex')}`;
  const url = `${PG_SERVER}/${name}`;
  console.log(`bench:read — ${ROWS.toLocaleString('en-US')} dead letters in ${name}`);
  await ensureDatabase(url);
  let server: RunningServer | null = null;
  const client = new pg.Client({ connectionString: url });
  try {
    await migrate(url);
    await client.connect();
    if (!reuse) await load(client);
    const size = await client.query(`SELECT pg_size_pretty(pg_database_size(current_database())) AS s,
      pg_size_pretty(pg_relation_size('dead_letter_search_document_idx')) AS fts`);
    console.log(`  database ${size.rows[0].s}, full-text index ${size.rows[0].fts}`);

    server = await startNextServer({ DATABASE_URL: url, DRAIN: 'false', TAP: 'false', LOG_LEVEL: 'warn' }, 120_000);
    const headers = bearer(await createTestToken(url, 'viewer', 'bench-read'));

    // a few values to ask for, read from the data
    const pick = async (sql: string) => (await client.query(sql)).rows;
    const [smallGroup] = await pick(`SELECT id FROM failure_groups ORDER BY count ASC LIMIT 1`);
    const [bigGroup] = await pick(`SELECT id FROM failure_groups ORDER BY count DESC LIMIT 1`);
    // the hard case for search: a term common overall (~10% of rows) that never occurs in a big group
    const [otherGroup] = await pick(`SELECT id FROM failure_groups WHERE signature NOT LIKE '%insufficient%' ORDER BY count DESC LIMIT 1`);
    const deep = await pick(`SELECT (extract(epoch FROM last_failed_at) * 1000)::bigint AS ms, id::text FROM dead_letters
      ORDER BY last_failed_at DESC, id DESC OFFSET ${Math.floor(ROWS * 0.9)} LIMIT 1`);
    const mid = await pick(`SELECT (extract(epoch FROM last_failed_at) * 1000)::bigint AS ms, id::text FROM dead_letters
      ORDER BY last_failed_at DESC, id DESC OFFSET ${Math.floor(ROWS * 0.5)} LIMIT 1`);
    const sample = await pick(`SELECT id::text, event_id FROM dead_letters TABLESAMPLE SYSTEM (1) LIMIT 200`);
    const ids: string[] = sample.map((r) => r.id);
    const eventIds: string[] = sample.map((r) => r.event_id);
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const dayAgo = new Date(Date.now() - 86_400_000).toISOString();
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString();

    const L = (qs: string) => [`/api/dead-letters${qs ? `?${qs}` : ''}`];
    const plan: [string, Result['kind'], string[]][] = [
      ['list first page', 'list', L('')],
      ['list limit=250', 'list', L('limit=250')],
      ['list eventType', 'list', TYPES.map((t) => `/api/dead-letters?eventType=${t}`)],
      ['list queue', 'list', QUEUES.map((q) => `/api/dead-letters?queue=${q}`)],
      ['list reason (each)', 'list', ['rejected', 'expired', 'maxlen', 'delivery_limit'].map((r) => `/api/dead-letters?reason=${r}`)],
      ['list status (each)', 'list', ['pending', 'republished', 'discarded'].map((s) => `/api/dead-letters?status=${s}`)],
      [
        'list validity (each)',
        'list',
        ['valid', 'invalid', 'unparseable', 'unknown-type', 'unsupported-version'].map((v) => `/api/dead-letters?validity=${v}`),
      ],
      ['list groupId small', 'list', L(`groupId=${smallGroup.id}`)],
      ['list groupId big', 'list', L(`groupId=${bigGroup.id}`)],
      ['list correlationId', 'list', Array.from({ length: 20 }, (_, i) => `/api/dead-letters?correlationId=corr-${i * 9973}`)],
      ['list last hour', 'list', L(`from=${hourAgo}`)],
      ['list from/to window', 'list', L(`from=${twoDaysAgo}&to=${dayAgo}`)],
      ['list type+queue+status', 'list', L(`eventType=${TYPES[3]}&queue=${QUEUES[0]}&status=pending`)],
      ['list unknown value', 'list', L('eventType=no.such.type')],
      ['list deep cursor (50%)', 'list', L(`cursor=${cursorAt(Number(mid[0].ms), mid[0].id)}`)],
      ['list deep cursor (90%)', 'list', L(`cursor=${cursorAt(Number(deep[0].ms), deep[0].id)}`)],
      ['list deep cursor + type', 'list', L(`eventType=${TYPES[1]}&cursor=${cursorAt(Number(mid[0].ms), mid[0].id)}`)],
      ['search common word', 'search', ['timeout', 'student', 'declined', 'semester'].map((q) => `/api/dead-letters?q=${q}`)],
      ['search rare (email)', 'search', Array.from({ length: 20 }, (_, i) => `/api/dead-letters?q=${encodeURIComponent(`student${i * 2311}@example.edu`)}`)],
      ['search event id (uuid)', 'search', eventIds.slice(0, 20).map((e) => `/api/dead-letters?q=${encodeURIComponent(e)}`)],
      ['search no match', 'search', L('q=zyxwvutsrq')],
      ['search phrase + type', 'search', L(`q=${encodeURIComponent('"insufficient funds"')}&eventType=${TYPES[8]}`)],
      ['search common, not in group', 'search', L(`q=insufficient&groupId=${otherGroup.id}`)],
      ['search + deep cursor', 'search', L(`q=student&cursor=${cursorAt(Number(mid[0].ms), mid[0].id)}`)],
      ['groups', 'groups', ['/api/groups']],
      ['groups sort=count', 'groups', ['/api/groups?sort=count']],
      ['facets', 'facets', ['/api/dead-letters/facets', `/api/dead-letters/facets?eventType=${TYPES[2]}`]],
      ['facets of a search', 'facets', ['/api/dead-letters/facets?q=student', `/api/dead-letters/facets?q=declined&eventType=${TYPES[2]}`]],
      ['detail', 'detail', ids.map((id) => `/api/dead-letters/${id}`)],
    ];
    const results: Result[] = [];
    console.log(`\n  ${'request'.padEnd(28)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)}  items  (${SAMPLES} samples each, sequential)`);
    for (const [label, kind, paths] of plan) {
      const r = await measure(server, headers, label, kind, paths);
      results.push(r);
      const target = kind === 'facets' ? '' : `target ${TARGETS[kind]}`;
      console.log(`  ${label.padEnd(28)} ${r.p50.toFixed(1).padStart(8)} ${r.p95.toFixed(1).padStart(8)}  ${String(r.items).padStart(5)}  ${target}`);
    }
    const worst = (k: keyof typeof TARGETS) => Math.max(...results.filter((r) => r.kind === k).map((r) => r.p95));
    console.log('');
    for (const k of Object.keys(TARGETS) as (keyof typeof TARGETS)[]) {
      console.log(`  worst ${k} p95: ${worst(k).toFixed(1)} ms (target ${TARGETS[k]}) ${worst(k) <= TARGETS[k] ? 'ok' : 'OVER'}`);
    }
    const list = worst('list');
    console.log(`RATIO read_p95_ms=${list.toFixed(1)} target=${TARGETS.list} ${list <= TARGETS.list ? 'PASS' : 'FAIL'}`);
  } finally {
    await server?.stop();
    await client.end().catch(ignoreCleanupError);
    // BENCH_KEEP=1 keeps the database for EXPLAIN sessions (drop it yourself afterwards)
    if (process.env.BENCH_KEEP === '1' || reuse) console.log(`  kept ${url}`);
    else await dropDatabase(url);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
