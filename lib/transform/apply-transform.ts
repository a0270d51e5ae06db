// A bulk job's transformation (README, Fix a whole group): a JSON Patch (RFC 6902) or a JSONata
// expression applied to each message's body, the result checked against its event's contract.
// The same code serves the dry run (counts and a sample) and the job (the bytes to send).
//
// What a message's outcome is:
// - error: the body is not a JSON document this can transform (binary, not JSON, over 1 MB,
//   nested deeper than 256 levels), the patch or expression failed on it, the result is over
//   1 MB, or the result changed the eventId (never allowed);
// - test-failed: a patch `test` operation did not hold (the message is left alone);
// - break: the result breaks the contract (skipped unless an admin forces the job);
// - unchanged: the result equals the body (it goes as it is, the stored bytes);
// - change: a valid, different body (it goes as JSON text of the result).
import { pauser } from '@/lib/event-loop-pause';
import jsonPatch, { type Operation } from 'fast-json-patch';
import jsonata from 'jsonata';
import { unprocessable } from '@/lib/action-error';
import { jsonTextDepth, MAX_RESPONSE_DEPTH, valueDepth } from '@/lib/cap-depth';
import { validateEvent, type ValidationResult } from '@/lib/events/validate';
import type { BulkTransform, JsonPatchOperation, TransformOutcome } from '@/lib/schemas/bulk';
import { evaluateJsonata, JSONATA_MAX_RESULT_CHARS, JsonataParseError, type EvaluateOptions } from './jsonata-worker';

/** Bodies over this are not transformed (an error outcome): parsing them would hold the event loop. */
export const MAX_TRANSFORM_BODY_BYTES = 1024 * 1024;
/** Largest result, as JSON text (a patch's; a JSONata result is capped the same in its worker). */
export const MAX_TRANSFORM_RESULT_CHARS = JSONATA_MAX_RESULT_CHARS;
/**
 * Bodies nested deeper than this are not transformed (an error outcome): comparing, checking and
 * serialising them recurses (a body 5,000 levels deep overflowed the stack in JSON.stringify: a
 * 500 for every preview of a selection that held it).
 */
export const MAX_TRANSFORM_DEPTH = MAX_RESPONSE_DEPTH;

export interface TransformInput {
  id: string;
  /** null: a body over MAX_TRANSFORM_BODY_BYTES, left unread (refused for its size alone) */
  body: Buffer | null;
}

export interface TransformOutput {
  id: string;
  outcome: TransformOutcome;
  /** the body as parsed (undefined when it is not JSON) */
  before: unknown;
  /** the result (undefined for error and test-failed) */
  after: unknown;
  /** what to send: the result as JSON text (change, break); null = the stored bytes (unchanged) or nothing */
  bytes: Buffer | null;
  validation: ValidationResult | null;
  error: string | null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as JSON, or why it is not one this can transform. */
function parseBody(body: Buffer | null): { ok: true; text: string; value: unknown } | { ok: false; error: string } {
  if (body === null || body.byteLength > MAX_TRANSFORM_BODY_BYTES)
    return { ok: false, error: `body is over ${MAX_TRANSFORM_BODY_BYTES / 1024 / 1024} MB: not transformed` };
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { ok: false, error: 'body is not UTF-8 text' };
  }
  if (jsonTextDepth(text) > MAX_TRANSFORM_DEPTH) return { ok: false, error: `body is nested deeper than ${MAX_TRANSFORM_DEPTH} levels: not transformed` };
  try {
    return { ok: true, text, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: `body is not JSON: ${(err as Error).message}` };
  }
}

const tooLarge = () => `the result is over ${MAX_TRANSFORM_RESULT_CHARS} characters`;

const eventIdOf = (v: unknown): unknown => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>).eventId : undefined);

/** Outcome of a result: the eventId kept, then the contract, then whether anything changed. */
function judge(id: string, before: unknown, after: unknown): TransformOutput {
  if (eventIdOf(after) !== eventIdOf(before)) {
    return {
      id,
      outcome: 'error',
      before,
      after,
      bytes: null,
      validation: null,
      error: `the transformation changed eventId (${JSON.stringify(eventIdOf(before) ?? null)} -> ${JSON.stringify(eventIdOf(after) ?? null)}); the eventId of a republished event never changes`,
    };
  }
  const same = jsonPatch._areEquals(before, after);
  const text = same ? null : JSON.stringify(after);
  if (text !== null && text.length > MAX_TRANSFORM_RESULT_CHARS) return failed(id, before, tooLarge());
  const validation = validateEvent(after);
  const outcome: TransformOutcome = validation.status !== 'valid' ? 'break' : same ? 'unchanged' : 'change';
  return { id, outcome, before, after, bytes: text === null ? null : Buffer.from(text, 'utf8'), validation, error: null };
}

const failed = (id: string, before: unknown, error: string, outcome: TransformOutcome = 'error'): TransformOutput => ({
  id,
  outcome,
  before,
  after: undefined,
  bytes: null,
  validation: null,
  error,
});

export interface ApplyOptions extends EvaluateOptions {
  /**
   * Stop once the bodies transformed and their results hold this many bytes: the rest are not
   * tried (isNotTried), as past a deadline (a job's batch: MAX_BATCH_BODY_BYTES). At least one
   * message is always tried.
   */
  maxBytes?: number;
}

export interface CompiledTransform {
  readonly transform: BulkTransform;
  /** `options`: a preview stops at its deadline (either kind) and at the first runaway (JSONata); a job at its bytes */
  apply(inputs: TransformInput[], options?: ApplyOptions): Promise<TransformOutput[]>;
}

/** What a message not tried because the request's deadline had passed says (after its transform's prefix). */
const PAST_DEADLINE = 'not tried: the request ran past its deadline';
/** What a message not tried because the results before it passed ApplyOptions.maxBytes says. */
const PAST_BYTES = 'not tried: the results before it passed the bytes one batch may hold';
/** What a message not tried after a runaway says (stopAtRunaway). */
const AFTER_RUNAWAY = 'JSONata: not tried: the expression ran away on an earlier message';
/**
 * Messages per request to the JSONata worker: each result (up to 1 MB) is held in the worker until
 * its request is answered, and the worker has 256 MB (results of 900 KB for 500 messages ran it
 * out of memory, refusing a transformation that was fine). A request costs ~0.1 ms (10,000 small
 * messages: 0.24 s in requests of 25, 0.39 s in requests of 500).
 */
const JSONATA_REQUEST_MESSAGES = 50;

/** The bytes an output holds besides its parsed values: its body read and its result. */
const heldBytes = (input: TransformInput, o: TransformOutput) => (input.body?.length ?? 0) + (o.bytes?.length ?? 0);

/**
 * Most JSON text a patch's copy operations may clone on one message (the copied values' sizes), as
 * much as a result may hold. A fix copies a field or two; 100 copies of a 230 KB value cloned
 * 23 MB a message, ~25 ms a copy. The body's own size is not counted: two small copies in a
 * 600 KB body are fine.
 */
export const MAX_PATCH_COPY_CHARS = MAX_TRANSFORM_RESULT_CHARS;

/** A patch error in a line: fast-json-patch's own message carries the whole document. */
function patchErrorText(err: unknown, ops: JsonPatchOperation[]): string {
  const e = err as { name?: string; index?: number; message?: string };
  const op = typeof e.index === 'number' ? ops[e.index] : undefined;
  const at = op ? ` (operation ${e.index! + 1}: ${op.op} ${op.path})` : '';
  switch (e.name) {
    case 'TEST_OPERATION_FAILED':
      return `patch test failed${at}`;
    case 'OPERATION_PATH_UNRESOLVABLE':
    case 'OPERATION_FROM_UNRESOLVABLE':
      return `path does not exist in this message${at}`;
    case 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX':
    case 'OPERATION_VALUE_OUT_OF_BOUNDS':
      return `array index out of bounds${at}`;
    case 'RESULT_TOO_LARGE':
      return `${(err as ResultTooLarge).why}${at}`;
    default:
      return `patch failed${at}: ${(e.message ?? String(err)).split('\n')[0]}`;
  }
}

/** A copy operation made the document larger or deeper than a result may be. */
class ResultTooLarge extends RangeError {
  override readonly name = 'RESULT_TOO_LARGE';
  constructor(
    readonly index: number,
    readonly why: string,
  ) {
    super(why);
  }
}

/** The size of what a copy clones, as JSON text: 0 when `from` does not resolve (the copy fails on its own). */
function copiedChars(doc: unknown, from: string): number {
  try {
    return (JSON.stringify(jsonPatch.getValueByPointer(doc, from)) ?? '').length;
  } catch {
    return 0;
  }
}

/** Checks a document after a copy: no deeper and no larger than a result may be. */
function checkGrowth(doc: unknown, index: number): void {
  if (valueDepth(doc, MAX_TRANSFORM_DEPTH) > MAX_TRANSFORM_DEPTH)
    throw new ResultTooLarge(index, `the result is nested deeper than ${MAX_TRANSFORM_DEPTH} levels`);
  if (JSON.stringify(doc).length > MAX_TRANSFORM_RESULT_CHARS) throw new ResultTooLarge(index, tooLarge());
}

const isContainer = (v: unknown): v is Record<string, unknown> | unknown[] => typeof v === 'object' && v !== null;

/**
 * Copy-on-write for a patch: the containers from the root down to the parent of `pointer` are
 * replaced by shallow copies (each once), so applying the operation in place leaves the parsed
 * body (`before`) as it was. Untouched subtrees stay shared, which also lets the equality check
 * and the diff skip them; a full copy of each body (a second parse) cost more than the patch.
 */
function cloneAlong(root: unknown, pointer: string, cloned: WeakSet<object>): unknown {
  if (!isContainer(root) || pointer === '') return root;
  const copy = (v: Record<string, unknown> | unknown[]) => {
    if (cloned.has(v)) return v;
    const c = Array.isArray(v) ? [...v] : { ...v };
    cloned.add(c);
    return c;
  };
  const top = copy(root);
  let node: Record<string, unknown> | unknown[] = top;
  const tokens = pointer.split('/').slice(1);
  for (let i = 0; i < tokens.length - 1; i++) {
    const key = tokens[i].replace(/~1/g, '/').replace(/~0/g, '~');
    if (!Object.hasOwn(node, key)) break; // the operation fails on its own
    const child = (node as Record<string, unknown>)[key];
    if (!isContainer(child)) break;
    const c = copy(child);
    (node as Record<string, unknown>)[key] = c;
    node = c;
  }
  return top;
}

function compilePatch(transform: Extract<BulkTransform, { kind: 'patch' }>): CompiledTransform {
  const ops = transform.operations;
  const invalid = jsonPatch.validate(ops as Operation[]);
  if (invalid) throw unprocessable(`The patch does not parse: ${patchErrorText(invalid, ops)}`, { field: 'transform.operations', reason: 'invalid-patch' });
  return {
    transform,
    async apply(inputs, options = {}) {
      const pause = pauser();
      const out: TransformOutput[] = [];
      let held = 0;
      for (const input of inputs) {
        const { id, body } = input;
        if (options.deadline !== undefined && Date.now() > options.deadline) out.push(failed(id, undefined, PAST_DEADLINE));
        else if (options.maxBytes !== undefined && held > options.maxBytes) out.push(failed(id, undefined, PAST_BYTES));
        else {
          const o = await patchOne(id, body);
          held += heldBytes(input, o);
          out.push(o);
        }
        await pause();
      }
      return out;
      async function patchOne(id: string, body: Buffer | null): Promise<TransformOutput> {
        const parsed = parseBody(body);
        if (!parsed.ok) return failed(id, undefined, parsed.error);
        try {
          const cloned = new WeakSet<object>();
          let doc = parsed.value;
          // what the copies cloned, as JSON text (the body's own size is not theirs)
          let copied = 0;
          for (const [i, op] of ops.entries()) {
            await pause();
            doc = cloneAlong(doc, op.path, cloned);
            if ('from' in op) doc = cloneAlong(doc, op.from, cloned);
            if (op.op === 'copy') {
              copied += copiedChars(doc, op.from);
              if (copied > MAX_PATCH_COPY_CHARS)
                throw new ResultTooLarge(i, `the copies built more than ${MAX_PATCH_COPY_CHARS / 1024 / 1024} MB of JSON on this message`);
            }
            doc = jsonPatch.applyOperation(doc, op as Operation, true, true, true, i).newDocument;
            // a copy is the one operation that can grow a document by itself: each may double it
            // (100 copies of the root into itself: 2^100) or nest it deeper (a subtree into its
            // own copy), so it is measured after each, and what the copies built is bounded
            if (op.op === 'copy') checkGrowth(doc, i);
          }
          await pause();
          return judge(id, parsed.value, doc);
        } catch (err) {
          const text = patchErrorText(err, ops);
          return failed(id, parsed.value, text, (err as { name?: string }).name === 'TEST_OPERATION_FAILED' ? 'test-failed' : 'error');
        }
      }
    },
  };
}

/** A JSONata expression's syntax error as a 422 naming the position. */
function expressionError(message: string, position: number | null) {
  return unprocessable(`The expression does not parse${position !== null ? ` (at character ${position})` : ''}: ${message}`, {
    field: 'transform.expression',
    reason: 'invalid-expression',
    position,
  });
}

function compileJsonata(transform: Extract<BulkTransform, { kind: 'jsonata' }>): CompiledTransform {
  try {
    // the parser is linear in the expression, which the request caps at 10,000 characters
    jsonata(transform.expression);
  } catch (err) {
    const e = err as { message?: string; position?: number };
    throw expressionError(e.message ?? String(err), typeof e.position === 'number' ? e.position : null);
  }
  return {
    transform,
    async apply(inputs, options = {}) {
      const out: (TransformOutput | null)[] = inputs.map(() => null);
      const pause = pauser();
      let held = 0;
      /** why the rest are not tried (a deadline, the bytes, a runaway) */
      let stop: string | null = null;
      // a request at a time, each parsed just before it goes: what is not tried is not parsed
      for (let r = 0; r < inputs.length; r += JSONATA_REQUEST_MESSAGES) {
        const window = inputs.slice(r, r + JSONATA_REQUEST_MESSAGES);
        const bodies = window.reduce((n, input) => n + (input.body?.length ?? 0), 0);
        if (stop === null && options.deadline !== undefined && Date.now() > options.deadline) stop = `JSONata: ${PAST_DEADLINE}`;
        if (stop === null && options.maxBytes !== undefined && held > 0 && held + bodies > options.maxBytes) stop = `JSONata: ${PAST_BYTES}`;
        if (stop !== null) {
          window.forEach((input, k) => (out[r + k] = failed(input.id, undefined, stop!)));
          continue;
        }
        /** the inputs of this request that parse: their place, text and value */
        const readable: { i: number; text: string; value: unknown }[] = [];
        for (const [k, { id, body }] of window.entries()) {
          await pause();
          const parsed = parseBody(body);
          if (!parsed.ok) out[r + k] = failed(id, undefined, parsed.error);
          else readable.push({ i: r + k, text: parsed.text, value: parsed.value });
        }
        held += bodies;
        if (!readable.length) continue;
        let results;
        try {
          results = await evaluateJsonata(
            transform.expression,
            readable.map((m) => m.text),
            options,
          );
        } catch (err) {
          if (err instanceof JsonataParseError) throw expressionError(err.message, err.position);
          throw err;
        }
        for (const [k, res] of results.entries()) {
          await pause();
          const { i, value } = readable[k];
          const id = inputs[i].id;
          // a result is JSON text of at most 1 MB, but may nest as deep as the expression made it
          const o = !res.ok
            ? failed(id, value, `JSONata: ${res.message}`)
            : jsonTextDepth(res.json) > MAX_TRANSFORM_DEPTH
              ? failed(id, value, `the result is nested deeper than ${MAX_TRANSFORM_DEPTH} levels`)
              : judge(id, value, JSON.parse(res.json));
          out[i] = o;
          held += o.bytes?.length ?? 0;
          if (options.stopAtRunaway && isRunaway(o)) stop = AFTER_RUNAWAY;
        }
        if (stop === null && options.maxBytes !== undefined && held > options.maxBytes) stop = `JSONata: ${PAST_BYTES}`;
      }
      return out as TransformOutput[];
    },
  };
}

/** Checks the transform (422 when it does not parse) and returns what applies it. */
export function compileTransform(transform: BulkTransform): CompiledTransform {
  return transform.kind === 'patch' ? compilePatch(transform) : compileJsonata(transform);
}

/** True when JSONata stopped on a message for time or depth: such an expression is refused (dry run, job creation). */
export function isRunaway(o: TransformOutput): boolean {
  return o.outcome === 'error' && o.error !== null && (o.error.startsWith('JSONata: took more than') || o.error.startsWith('JSONata: recursed deeper'));
}

/** True when a message was not tried because the request's deadline had passed (options.deadline). */
export function isPastDeadline(o: TransformOutput): boolean {
  return o.outcome === 'error' && (o.error === PAST_DEADLINE || o.error === `JSONata: ${PAST_DEADLINE}`);
}

/** True when a message was not tried, past the deadline or past the bytes (options.maxBytes): a job tries it in a later batch. */
export function isNotTried(o: TransformOutput): boolean {
  return isPastDeadline(o) || (o.outcome === 'error' && (o.error === PAST_BYTES || o.error === `JSONata: ${PAST_BYTES}`));
}
