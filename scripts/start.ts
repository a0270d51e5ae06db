// `npm start`: checks the settings, creates and migrates the database, builds when the sources
// changed since the last build, then serves the console (drainer and tap run inside it).
import 'dotenv/config';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { envOrExit } from '@/lib/env';
import { prepareDatabase } from './migrate';

process.env.NEXT_TELEMETRY_DISABLED = '1';
const root = process.cwd();
const distDir = process.env.NEXT_DIST_DIR || '.next';
const nextBin = path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');

/** A cheap fingerprint of everything `next build` reads: paths, sizes and mtimes. */
function sourceStamp(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const s = statSync(full);
        hash.update(`${full}:${s.size}:${s.mtimeMs}\n`);
      }
    }
  };
  for (const dir of ['app', 'components', 'lib']) walk(path.join(root, dir));
  for (const file of ['next.config.js', 'package-lock.json', 'instrumentation.ts', 'proxy.ts', 'postcss.config.mjs', 'tsconfig.json']) {
    const full = path.join(root, file);
    if (existsSync(full)) hash.update(`${file}:${statSync(full).mtimeMs}\n`);
  }
  return hash.digest('hex');
}

export function buildIfNeeded(): void {
  const stampFile = path.join(root, distDir, 'eventdesk-build-stamp');
  const stamp = sourceStamp();
  const built = existsSync(path.join(root, distDir, 'BUILD_ID')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp;
  if (built) return;
  console.log('building the console (next build)...');
  const result = spawnSync(process.execPath, [nextBin, 'build'], { stdio: 'inherit', env: process.env });
  if (result.status !== 0) {
    console.error('next build failed');
    process.exit(result.status ?? 1);
  }
  writeFileSync(stampFile, stamp);
}

async function main() {
  const settings = envOrExit();
  try {
    await prepareDatabase(settings.DATABASE_URL);
  } catch (err) {
    console.error(`cannot prepare the database at ${redact(settings.DATABASE_URL)}: ${(err as Error).message}`);
    process.exit(1);
  }
  buildIfNeeded();
  const server = spawn(process.execPath, [nextBin, 'start', '-p', String(settings.PORT)], { stdio: 'inherit', env: process.env });
  // The server stops itself within ~13.5 s (lib/runtime/background.ts); should it not, it is
  // killed at 14.5 s, so `npm start` always ends within a 15 s grace period.
  let killTimer: NodeJS.Timeout | undefined;
  const forward = (signal: NodeJS.Signals) => {
    server.kill(signal);
    killTimer ??= setTimeout(() => {
      console.error('the server did not stop within 14.5 s; killing it');
      server.kill('SIGKILL');
    }, 14_500);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  server.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
