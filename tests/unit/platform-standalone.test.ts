// lib/platform (EduPlatform's event library) can be lifted out of the console: walking its import
// graph from the source reaches nothing outside lib/platform and lib/events, and no package a
// service would not install with it. Then each module is imported on its own.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = process.cwd();
const ALLOWED_DIRS = ['lib/platform/', 'lib/events/'];
/** what the library's own package.json would list (node: built-ins are always fine) */
const ALLOWED_PACKAGES = ['amqplib', 'pino', 'prom-client', 'zod', 'pg', '@opentelemetry/api'];

const IMPORT = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

function importsOf(source: string): string[] {
  const stripped = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...stripped.matchAll(IMPORT)].map((m) => m[1] ?? m[2]);
}

function resolveFile(from: string, spec: string, exists: (f: string) => boolean): string | null {
  const base = spec.startsWith('@/') ? spec.slice(2) : spec.startsWith('.') ? path.posix.join(path.posix.dirname(from), spec) : null;
  if (base === null) return null;
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`]) if (exists(candidate)) return candidate;
  return `${base}.ts`; // unresolved: reported by its path
}

/** Every file and package reached from `entries`, with what is outside the library. */
function walk(entries: string[], read: (f: string) => string, exists: (f: string) => boolean) {
  const seen = new Set<string>();
  const outside: string[] = [];
  const packages = new Set<string>();
  const queue = [...entries];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!ALLOWED_DIRS.some((d) => file.startsWith(d))) {
      outside.push(file);
      continue;
    }
    for (const spec of importsOf(read(file))) {
      const target = resolveFile(file, spec, exists);
      if (target) queue.push(target);
      else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
    }
  }
  return { files: [...seen], outside, packages: [...packages].sort() };
}

const platformFiles = readdirSync(path.join(ROOT, 'lib/platform'))
  .filter((f) => /\.tsx?$/.test(f))
  .map((f) => `lib/platform/${f}`);
const onDisk = {
  read: (f: string) => readFileSync(path.join(ROOT, f), 'utf8'),
  exists: (f: string) => existsSync(path.join(ROOT, f)) && !f.endsWith('/'),
};

describe('lib/platform stands alone', () => {
  it('imports nothing outside lib/platform and lib/events', () => {
    expect(platformFiles).toContain('lib/platform/publisher.ts');
    const { outside, files } = walk(platformFiles, onDisk.read, onDisk.exists);
    expect(files.length).toBeGreaterThan(platformFiles.length); // the contracts were reached
    expect(outside).toEqual([]);
  });

  it('uses only the packages a service installs with it', () => {
    const { packages } = walk(platformFiles, onDisk.read, onDisk.exists);
    expect(packages.filter((p) => !ALLOWED_PACKAGES.includes(p))).toEqual([]);
    expect(packages).toContain('amqplib');
  });

  it('the walk finds an import of the console, however it is written', () => {
    const sources: Record<string, string> = {
      'lib/platform/a.ts': "import type { X } from './b';\nexport { y } from '@/lib/events/c';",
      'lib/platform/b.ts': "// import { no } from '@/lib/server/db';\nimport {\n  ReconnectingConnection,\n} from '../bus/connection';",
      'lib/events/c.ts': "const m = await import('@/lib/log');",
    };
    const exists = (f: string) => f in sources;
    const read = (f: string) => sources[f] ?? '';
    expect(walk(['lib/platform/a.ts'], read, exists).outside.sort()).toEqual(['lib/bus/connection.ts', 'lib/log.ts']);
  });

  it("each module loads on its own, without the console's logger", async () => {
    const loaded: Record<string, Record<string, unknown>> = {};
    for (const file of platformFiles) loaded[file] = (await import(`@/${file.replace(/\.ts$/, '')}`)) as Record<string, unknown>;
    expect(typeof loaded['lib/platform/publisher.ts'].EventPublisher).toBe('function');
    expect(typeof loaded['lib/platform/subscribe.ts'].subscribe).toBe('function');
    expect(typeof loaded['lib/platform/connection.ts'].ReconnectingConnection).toBe('function');
    expect((globalThis as { __eventdeskLogger?: unknown }).__eventdeskLogger).toBeUndefined(); // lib/log.ts never ran
  });
});
