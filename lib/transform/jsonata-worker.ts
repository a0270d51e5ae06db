// JSONata runs in a child process, never on the server's event loop (README, Fix a whole group).
// jsonata's own guardrails stop an evaluation after JSONATA_TIMEOUT_MS per message and past
// JSONATA_MAX_DEPTH nested calls, but they are checked between steps: one built-in step can run
// on without end (a backtracking regex in $match, measured: still running after 15 s) or grow a
// huge value ($pad("", 3e8)). So the worker also has a memory limit, its results a size limit,
// and every request a watchdog that ends the worker when one message takes past its guardrail
// and slack without the worker reporting progress (it reports after each message); the next
// request starts a fresh one. A process, not a worker thread: a worker thread's heap limit did
// not hold for one huge allocation, and V8's out-of-memory abort took the whole server down
// (`$length($pad("", 300000000))` in one preview, found by a probe); a child process dies alone.
// Requests are served in order by a pool of JSONATA_WORKERS workers, each one request at a
// time: a request stuck on a step that never yields holds its own worker until the watchdog ends
// it (~2.2 s a message), not the other operators' previews. A preview asks the worker to stop at
// the first runaway message and at its deadline (options): a runaway expression on 400 messages
// took 40-90 s before, every other preview queued behind it.
import { createRequire } from 'node:module';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { isNamedError } from '@/lib/named-error';

/** Longest one message's evaluation may run (jsonata's guardrail). */
export const JSONATA_TIMEOUT_MS = 100;
/** Deepest evaluation (jsonata's guardrail against runaway recursion). */
export const JSONATA_MAX_DEPTH = 500;
/** Largest result, as JSON text: as a body going in (apply-transform.ts), 1 MB. */
export const JSONATA_MAX_RESULT_CHARS = 1024 * 1024;
/** The worker's heap: a value that grows past it ends the worker, not the server. */
const WORKER_HEAP_MB = 256;
/**
 * Slack the watchdog gives one message over twice JSONATA_TIMEOUT_MS (a message that overran is
 * tried again: evaluateMessages), for passing it: the worker reports after each message, and a
 * message that takes longer than that is a step that never yields.
 */
const WATCHDOG_SLACK_MS = 2000;
/** More slack when the request starts a worker (a process: about 90 ms idle here, measured with its first answer). */
const WORKER_START_MS = 10_000;
/**
 * Workers in the pool, each started when the others are busy (and kept, idle, once started). Two:
 * one stuck request leaves the other free, and the machine has 2 cores; each may use
 * WORKER_HEAP_MB.
 */
export const JSONATA_WORKERS = 2;

/** One message's result: the new body as JSON text, or why there is none. */
export type JsonataResult = { ok: true; json: string } | { ok: false; code: string; message: string };

export class JsonataParseError extends Error {
  /** by name: a copy of this class in another chunk made it (lib/named-error.ts) */
  static [Symbol.hasInstance](value: unknown): boolean {
    return isNamedError(value, 'JsonataParseError');
  }

  constructor(
    message: string,
    public readonly position: number | null,
  ) {
    super(message);
    this.name = 'JsonataParseError';
  }
}

/** The whole request overran its watchdog or ended the worker: no result for any of its messages. */
export class JsonataStalled extends Error {
  /** by name: a copy of this class in another chunk made it (lib/named-error.ts) */
  static [Symbol.hasInstance](value: unknown): boolean {
    return isNamedError(value, 'JsonataStalled');
  }

  constructor(
    message: string,
    /** why: ran past its time (or never yielded), ran out of the worker's memory, or the worker died otherwise */
    public readonly reason: 'transform-timeout' | 'transform-out-of-memory' | 'transform-worker-crashed' = 'transform-timeout',
  ) {
    super(message);
    this.name = 'JsonataStalled';
  }
}

/** What evaluateMessages needs to know of the worker's limits. */
export interface MessageLimits {
  timeoutMs: number;
  maxDepth: number;
  maxResultChars: number;
}

/** How a request's messages are evaluated. */
export interface EvaluateOptions {
  /**
   * Stop at the first message the expression runs away on (time after its second try, or depth):
   * the rest are not tried (code "not-tried"). For a preview, which refuses such an expression
   * anyway; a job evaluates every message.
   */
  stopAtRunaway?: boolean;
  /** Epoch ms after which no further message is tried (code "deadline"). */
  deadline?: number;
}

/**
 * One request's messages, in order, each to its result. jsonata's time guardrail is wall-clock
 * time, so a message also overruns when the worker was not running at all (the machine loaded by
 * a drain at full speed, a garbage collection): a message that overran is evaluated once more,
 * and only a second overrun is its result. Once a second try has overrun too, the expression is
 * taken for a runaway on this request's messages and later ones are not tried twice, so a runaway
 * costs one extra guardrail's time a request (of 50 messages: apply-transform.ts), not one per message.
 * Runs in the worker: its source is sent there, so it uses nothing but its arguments and globals.
 */
export async function evaluateMessages(
  evaluate: (input: string) => Promise<unknown>,
  inputs: string[],
  limits: MessageLimits,
  options: EvaluateOptions = {},
  /** called after each message (the watchdog's sign of life) */
  progress: () => void = () => undefined,
): Promise<JsonataResult[]> {
  const results: JsonataResult[] = [];
  let retryOverruns = true;
  let stopped: JsonataResult | null = null;
  for (const input of inputs) {
    if (!stopped && options.deadline !== undefined && Date.now() > options.deadline)
      stopped = { ok: false, code: 'deadline', message: 'not tried: the request ran past its deadline' };
    if (stopped) {
      results.push(stopped);
      continue;
    }
    progress();
    let value: unknown;
    let failure: { code: string; message: string } | null = null;
    for (let attempt = 1; ; attempt++) {
      try {
        value = await evaluate(input);
        failure = null;
        break;
      } catch (err) {
        // jsonata throws plain objects with a code (D1012 time, D1011 depth), other code Errors
        const e = err as { code?: unknown; message?: unknown } | null;
        const code = typeof e?.code === 'string' ? e.code : 'error';
        failure = { code, message: typeof e?.message === 'string' ? e.message : String(err) };
        if (code !== 'D1012') break;
        if (attempt === 1 && retryOverruns) continue;
        if (attempt === 2) retryOverruns = false;
        break;
      }
    }
    if (failure) {
      const { code } = failure;
      const message =
        code === 'D1012'
          ? 'took more than ' + limits.timeoutMs + ' ms on this message'
          : code === 'D1011'
            ? 'recursed deeper than ' + limits.maxDepth + ' calls'
            : failure.message;
      results.push({ ok: false, code, message });
      if (options.stopAtRunaway && (code === 'D1011' || (code === 'D1012' && !retryOverruns)))
        stopped = { ok: false, code: 'not-tried', message: 'not tried: the expression ran away on an earlier message' };
      continue;
    }
    if (value === undefined) {
      results.push({ ok: false, code: 'empty', message: 'the expression returned nothing for this message' });
      continue;
    }
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch (err) {
      results.push({ ok: false, code: 'not-json', message: 'the result is not JSON: ' + String((err as { message?: unknown } | null)?.message || err) });
      continue;
    }
    if (json === undefined) results.push({ ok: false, code: 'not-json', message: 'the expression returned a function, not a body' });
    else if (json.length > limits.maxResultChars)
      results.push({ ok: false, code: 'too-large', message: 'the result is over ' + limits.maxResultChars + ' characters' });
    else results.push({ ok: true, json });
  }
  return results;
}

// Plain CommonJS run by the worker process (node -e: a file would have to survive the Next
// build's bundling); its limits come in an environment variable.
const WORKER_SOURCE = `
const workerData = JSON.parse(process.env.EVENTDESK_JSONATA_WORKER);
// the server gone, its worker goes too
process.on('disconnect', () => process.exit(0));
const evaluateMessages = ${evaluateMessages.toString()};
const jsonata = require(workerData.jsonataPath);
const cache = new Map();
function compile(expression) {
  let e = cache.get(expression);
  if (!e) {
    e = jsonata(expression, { timeout: workerData.timeoutMs, stack: workerData.maxDepth });
    if (cache.size > 20) cache.clear();
    cache.set(expression, e);
  }
  return e;
}
process.on('message', async ({ id, expression, inputs, options }) => {
  let expr;
  try {
    expr = compile(expression);
  } catch (err) {
    process.send({ id, parseError: { message: String(err.message || err), position: typeof err.position === 'number' ? err.position : null } });
    return;
  }
  const results = await evaluateMessages((input) => expr.evaluate(JSON.parse(input)), inputs, workerData, options, () => process.send({ id, progress: true }));
  process.send({ id, results });
});
`;

interface Pending {
  id: number;
  expression: string;
  inputs: string[];
  options: EvaluateOptions;
  resolve: (r: JsonataResult[]) => void;
  reject: (e: Error) => void;
}

type Reply = { id: number; progress?: true; results?: JsonataResult[]; parseError?: { message: string; position: number | null } };

/** Longest one message may go without the worker reporting progress. */
const MESSAGE_WATCHDOG_MS = 2 * JSONATA_TIMEOUT_MS + WATCHDOG_SLACK_MS;

/**
 * Every worker process alive. Killed when the server exits: a worker ends itself when its channel
 * closes, but only between steps, and one stuck in a step that never yields (a backtracking
 * regex) ran on, orphaned, after the server was gone (found by a review). A server killed with
 * SIGKILL runs no hook: such a worker ends at its next step.
 */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const w of live) w.kill('SIGKILL');
});

/** Size of a request's bodies, in MB (one decimal). */
const megabytes = (inputs: string[]) => (inputs.reduce((n, t) => n + t.length, 0) / 1024 / 1024).toFixed(1);

/** One worker of the pool: serves the pool's requests one at a time (`take`: the next, if any). */
class JsonataWorker {
  private worker: ChildProcess | null = null;
  private current: Pending | null = null;
  private watchdog: NodeJS.Timeout | null = null;

  constructor(private readonly take: () => Pending | undefined) {}

  private spawn(): ChildProcess {
    const jsonataPath = createRequire(path.join(process.cwd(), 'package.json')).resolve('jsonata');
    const limits = { jsonataPath, timeoutMs: JSONATA_TIMEOUT_MS, maxDepth: JSONATA_MAX_DEPTH, maxResultChars: JSONATA_MAX_RESULT_CHARS };
    // its own small environment: the server's NODE_OPTIONS (a loader, a larger heap) are not its
    // own. JSON over the channel: every message is strings and plain objects, and the "advanced"
    // serialization of Node 20 before 20.19 could stall on a length split across two reads.
    const w = spawn(process.execPath, [`--max-old-space-size=${WORKER_HEAP_MB}`, '-e', WORKER_SOURCE], {
      env: { NODE_ENV: process.env.NODE_ENV, EVENTDESK_JSONATA_WORKER: JSON.stringify(limits), PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    live.add(w);
    // the end of what it printed last: V8 says "heap out of memory" before it aborts
    let said = '';
    w.stderr?.on('data', (chunk: Buffer) => {
      said = (said + chunk.toString('utf8')).slice(-4096);
    });
    w.on('message', (reply: Reply) => this.onReply(w, reply));
    w.on('error', (err) => this.fail(w, new JsonataStalled(`the JSONata worker failed: ${err.message}`, 'transform-worker-crashed')));
    w.on('exit', (code, signal) => {
      live.delete(w);
      // (stderr may still hold the last words: read them once it closed)
      const ended = () => this.fail(w, this.death(said, code, signal));
      if (w.stderr && !w.stderr.readableEnded) w.stderr.once('close', ended);
      else ended();
    });
    // an idle worker does not keep the process alive
    w.unref();
    w.channel?.unref();
    (w.stderr as Socket | null)?.unref(); // a pipe: a socket
    return w;
  }

  /** Why the worker died (no watchdog ended it: that one says so itself). */
  private death(said: string, code: number | null, signal: NodeJS.Signals | null): JsonataStalled {
    const request = this.current ? ` on this request (${this.current.inputs.length} message(s), ${megabytes(this.current.inputs)} MB of bodies)` : '';
    if (/out of memory/i.test(said)) return new JsonataStalled(`the worker ran out of its ${WORKER_HEAP_MB} MB of memory${request}`, 'transform-out-of-memory');
    return new JsonataStalled(`the JSONata worker died (${signal ?? `exit code ${code}`})${request}`, 'transform-worker-crashed');
  }

  /** Takes the pool's next request when this worker is free. */
  pump(): void {
    if (this.current) return;
    const job = this.take();
    if (!job) return;
    this.current = job;
    // a new worker's start (a process, jsonata loaded and compiled) is not the request's time
    const starting = this.worker ? 0 : WORKER_START_MS;
    let w: ChildProcess;
    try {
      w = this.worker ??= this.spawn();
      this.arm(w, starting + MESSAGE_WATCHDOG_MS);
      // a worker that could not start (EMFILE, say) has no channel: its request fails, nothing throws
      if (!w.connected) throw new Error('its channel is closed');
      w.send({ id: job.id, expression: job.expression, inputs: job.inputs, options: job.options }, (err) => {
        if (err) this.fail(w, new JsonataStalled(`the JSONata worker cannot be reached: ${err.message}`, 'transform-worker-crashed'));
      });
    } catch (err) {
      const failed = this.worker;
      this.worker = null;
      failed?.kill('SIGKILL');
      this.settle()?.reject(new JsonataStalled(`the JSONata worker cannot start: ${(err as Error).message}`, 'transform-worker-crashed'));
      // the next request tries a fresh worker, later (not in this call: it would fail the same way at once)
      setImmediate(() => this.pump());
    }
  }

  /** (Re)starts the watchdog: the worker must report within `ms`, or it is ended. */
  private arm(w: ChildProcess, ms: number): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    const timer: NodeJS.Timeout = setTimeout(() => {
      // after the messages that arrived meanwhile: an event loop held up past the deadline runs
      // its timers before it reads the worker's reports, and a report re-arms the watchdog
      setImmediate(() => {
        if (this.watchdog !== timer) return;
        this.fail(w, new JsonataStalled(`the expression ran past ${JSONATA_TIMEOUT_MS} ms on a message and could not be stopped between steps`));
        live.delete(w);
        w.kill('SIGKILL');
      });
    }, ms);
    this.watchdog = timer;
  }

  private settle(): Pending | null {
    const job = this.current;
    this.current = null;
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = null;
    return job;
  }

  private onReply(w: ChildProcess, reply: Reply): void {
    if (w !== this.worker || reply.id !== this.current?.id) return;
    if (reply.progress) {
      this.arm(w, MESSAGE_WATCHDOG_MS);
      return;
    }
    const job = this.settle()!;
    if (reply.parseError) job.reject(new JsonataParseError(reply.parseError.message, reply.parseError.position));
    else job.resolve(reply.results ?? []);
    this.pump();
  }

  /** The worker is gone (overran, out of memory, crashed): its request fails, the next gets a new worker. */
  private fail(w: ChildProcess, err: Error): void {
    if (w !== this.worker) return;
    this.worker = null;
    const job = this.settle();
    job?.reject(err);
    this.pump();
  }
}

/** The requests no worker has taken yet, in order. */
const waiting: Pending[] = [];
let nextId = 1;
// in order of preference: a request goes to the first free one, so a second worker starts only
// when the first is busy
const pool = Array.from({ length: JSONATA_WORKERS }, () => new JsonataWorker(() => waiting.shift()));

/** Evaluates the expression on each input (JSON text) in a worker of the pool. */
export function evaluateJsonata(expression: string, inputs: string[], options: EvaluateOptions = {}): Promise<JsonataResult[]> {
  return new Promise((resolve, reject) => {
    waiting.push({ id: nextId++, expression, inputs, options, resolve, reject });
    for (const w of pool) w.pump();
  });
}
