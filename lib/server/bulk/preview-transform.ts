// The dry run of a transforming bulk republish (README, Fix a whole group): the transformation
// applied to every message of the selection, nothing sent, nothing written. Counts by outcome
// and a sample of up to 20 (changed, broken and failed ones first) with before, after, the diff
// the single edit shows, and the contract check. An expression that runs away on a message
// (jsonata's time or depth limit) is refused (422), as is one the worker had to be stopped on.
import 'server-only';
import { unprocessable } from '@/lib/action-error';
import { prettyJson } from '@/lib/diff/pretty-json';
import { editedBodyDiff, MAX_DIFF_INPUT } from '@/lib/diff/republish-diff';
import type { Prisma } from '@/lib/generated/prisma/client';
import type { BulkTransformDryRunResponse, TransformSampleItem } from '@/lib/schemas/bulk';
import { prisma } from '@/lib/server/db';
import { fitInBytes } from '@/lib/fit-in-bytes';
import { isPastDeadline, isRunaway, MAX_TRANSFORM_BODY_BYTES, type CompiledTransform, type TransformOutput } from '@/lib/transform/apply-transform';
import { JsonataStalled } from '@/lib/transform/jsonata-worker';

/** Messages read at a time. */
const CHUNK = 500;
/**
 * Most bytes of bodies read at a time, and most messages transformed at a time (their results
 * held until counted): 500 bodies of 1 MB were read at once, and an expression
 * giving 1 MB results for the 500 messages of a chunk took the server to 2.46 GB (a probe).
 * A request to the JSONata worker costs ~0.1 ms (10,000 small messages: 0.24 s in requests of 25,
 * 0.39 s in requests of 500).
 */
const PART_BYTES = 32 * 1024 * 1024;
const PART_MESSAGES = 50;
export const PREVIEW_SAMPLE_SIZE = 20;
/** Longest a preview may take in all; past it the preview is refused. */
export const PREVIEW_BUDGET_MS = 60_000;
/** Longest body text a sample item carries. */
const MAX_SAMPLE_TEXT = 64 * 1024;

interface Row {
  id: string;
  event_id: string | null;
  event_type: string | null;
  queue: string;
  body: Buffer | null;
}

const lossy = new TextDecoder('utf-8');

/**
 * A value pretty-printed, or as compact JSON when pretty-printed it would pass MAX_DIFF_INPUT (it
 * is neither diffed nor shown past that: a 918 KB result nested 250 deep was 232 M characters
 * pretty-printed, and twenty samples of them took the server out of memory, found by a probe);
 * null if it cannot be shown (a sample must never fail the whole preview).
 */
function pretty(value: unknown): string | null {
  try {
    return prettyJson(value, MAX_DIFF_INPUT) ?? JSON.stringify(value);
  } catch {
    return null;
  }
}

function prettyOrRaw(value: unknown, raw: Buffer | null): string {
  const text = value === undefined ? null : pretty(value);
  if (text !== null) return text;
  if (raw === null) return '(body over 1 MB: not shown)';
  return lossy.decode(raw);
}

/** A sample's text cut at MAX_SAMPLE_TEXT, saying how long it was. */
function cut(text: string): string {
  return text.length > MAX_SAMPLE_TEXT ? `${text.slice(0, MAX_SAMPLE_TEXT)}\n… (${text.length} characters)` : text;
}

function sampleItem(row: Row, o: TransformOutput): TransformSampleItem {
  // the texts and the diff cut at MAX_SAMPLE_TEXT (a body or a result may be up to 1 MB, more
  // pretty-printed: twenty of them made a 50 MB answer, and a diff's context lines can be as
  // long); the diff is made of the whole texts
  const beforeText = prettyOrRaw(o.before, row.body);
  const afterText = o.after === undefined ? null : (pretty(o.after) ?? '(the result cannot be shown)');
  return {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type,
    queue: row.queue,
    outcome: o.outcome,
    before: cut(beforeText),
    after: afterText === null ? null : cut(afterText),
    diff: afterText === null ? null : cut(editedBodyDiff(beforeText, afterText, `dead-letter/${row.id}`)),
    validation: o.validation ? { status: o.validation.status, violations: o.validation.violations.map((v) => ({ path: v.path, message: v.message })) } : null,
    error: o.error,
  };
}

/**
 * The ids in parts to read one at a time, in order: at most CHUNK, and PART_BYTES of the bodies
 * that are read (a bigger one is not: MAX_TRANSFORM_BODY_BYTES), at least one message. `at`: the
 * place of the part's first id in `ids`.
 */
async function* parts(ids: string[]): AsyncGenerator<{ at: number; ids: string[] }> {
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    // the record's body_size: its newest message's (no lookup in the messages)
    const sizes = await prisma.$queryRaw<{ id: string; size: number }[]>`
      SELECT d."id", d."body_size" AS "size" FROM "dead_letters" d WHERE d."id" = ANY(${chunk}::uuid[])`;
    const sizeOf = new Map(sizes.map((r) => [r.id, r.size <= MAX_TRANSFORM_BODY_BYTES ? r.size : 0]));
    const bytes = chunk.map((id) => sizeOf.get(id) ?? 0);
    for (let from = 0; from < chunk.length;) {
      const n = fitInBytes(bytes.slice(from), PART_BYTES);
      yield { at: i + from, ids: chunk.slice(from, from + n) };
      from += n;
    }
  }
}

/**
 * `timing.applyMs` (when given) gets the time the transformation itself took, without the
 * preview's queries and sample diffs: job creation judges a transformation's pace by it.
 */
export async function previewTransform(where: Prisma.Sql, compiled: CompiledTransform, timing?: { applyMs: number }): Promise<BulkTransformDryRunResponse> {
  const started = Date.now();
  // the job's own order: oldest failure first
  const ids = (await prisma.$queryRaw<{ id: string }[]>`SELECT "id" FROM "dead_letters" ${where} ORDER BY "last_failed_at", "id"`).map((r) => r.id);
  const counts = { wouldChange: 0, unchanged: 0, wouldBreak: 0, wouldBreakUnchanged: 0, errors: 0, testFailed: 0 };
  const notable: { row: Row; o: TransformOutput }[] = [];
  const plain: { row: Row; o: TransformOutput }[] = [];
  const tooSlow = (done: number) =>
    unprocessable(
      `The preview ran past ${PREVIEW_BUDGET_MS / 1000} s after ${done} of ${ids.length} messages: the transformation is too slow for this selection`,
      {
        field: 'transform',
        reason: 'transform-too-slow',
      },
    );
  for await (const { at: i, ids: chunk } of parts(ids)) {
    if (Date.now() - started > PREVIEW_BUDGET_MS) throw tooSlow(i);
    const rows = await prisma.$queryRaw<Row[]>`
      SELECT d."id", d."event_id", d."event_type", d."queue",
             CASE WHEN octet_length(m."body") <= ${MAX_TRANSFORM_BODY_BYTES} THEN m."body" END AS "body"
      FROM "dead_letters" d
      JOIN "dead_letter_messages" m ON m."id" = COALESCE(d."latest_message_id",
        (SELECT max(x."id") FROM "dead_letter_messages" x WHERE x."dead_letter_id" = d."id"))
      WHERE d."id" = ANY(${chunk}::uuid[])`;
    const byId = new Map(rows.map((r) => [r.id, r]));
    const present = chunk.map((id) => byId.get(id)).filter((r): r is Row => r !== undefined);
    counts.errors += chunk.length - present.length; // no stored message (purged meanwhile)
    // transformed PART_MESSAGES at a time: only their results are held until counted
    for (let p = 0; p < present.length; p += PART_MESSAGES) {
      const part = present.slice(p, p + PART_MESSAGES);
      let outputs: TransformOutput[];
      try {
        // a body left out for its size (null) still gets its outcome: over 1 MB, not transformed
        // JSONata stops at the first message it runs away on (the preview is refused for it) and
        // at the preview's deadline, not only between chunks
        const applyStarted = performance.now();
        outputs = await compiled.apply(
          part.map((r) => ({ id: r.id, body: r.body })),
          { stopAtRunaway: true, deadline: started + PREVIEW_BUDGET_MS },
        );
        if (timing) timing.applyMs += performance.now() - applyStarted;
      } catch (err) {
        if (err instanceof JsonataStalled)
          throw unprocessable(`The expression was refused: ${err.message}`, { field: 'transform.expression', reason: err.reason });
        throw err;
      }
      outputs.forEach((o, k) => {
        const row = part[k];
        if (isPastDeadline(o)) throw tooSlow(i + p + k);
        if (isRunaway(o)) {
          throw unprocessable(`The expression was refused: ${o.error!.slice('JSONata: '.length)} (dead letter ${row.id})`, {
            field: 'transform.expression',
            reason: 'transform-timeout',
            deadLetterId: row.id,
          });
        }
        if (o.outcome === 'change') counts.wouldChange++;
        else if (o.outcome === 'unchanged') counts.unchanged++;
        else if (o.outcome === 'break') {
          counts.wouldBreak++;
          // no bytes of its own: the result equals the stored body (the transform did not touch it)
          if (o.bytes === null) counts.wouldBreakUnchanged++;
        } else if (o.outcome === 'test-failed') counts.testFailed++;
        else counts.errors++;
        const into = o.outcome === 'unchanged' ? plain : notable;
        if (into.length < PREVIEW_SAMPLE_SIZE) into.push({ row, o });
      });
    }
  }
  const sample = [...notable, ...plain].slice(0, PREVIEW_SAMPLE_SIZE).map(({ row, o }) => sampleItem(row, o));
  return { dryRun: true, count: ids.length, ...counts, sample };
}
