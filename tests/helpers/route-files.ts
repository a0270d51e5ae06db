// Every app/api/**/route.ts with the HTTP methods it exports, read from the source.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const METHOD = /^(GET|POST|PUT|PATCH|DELETE)$/;

/** The methods a route module's source exports (export const GET, export async function POST, export { h as GET }). */
export function exportedMethods(source: string): Method[] {
  const methods = new Set<Method>();
  for (const m of source.matchAll(/export\s+(?:const|let|async\s+function|function)\s+(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b/g))
    methods.add(m[1] as Method);
  for (const m of source.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const part of m[1].split(',')) {
      const name = part
        .trim()
        .split(/\s+as\s+/)
        .pop()
        ?.trim();
      if (name && METHOD.test(name)) methods.add(name as Method);
    }
  }
  return [...methods].sort();
}

/** app/api/dead-letters/[id]/route.ts -> /api/dead-letters/{id}; [...rest] and [[...rest]] -> {rest}. */
export function routePath(file: string): string {
  const dir = path.posix.dirname(file).replace(/^app/, '');
  return dir
    .split('/')
    .filter((seg) => !/^\(.*\)$/.test(seg)) // route groups are not in the URL
    .map((seg) => seg.replace(/^\[\[?(?:\.\.\.)?([^\]]+)\]?\]$/, '{$1}'))
    .join('/');
}

export function routeFiles(root = process.cwd(), dir = 'app/api'): { file: string; path: string; methods: Method[] }[] {
  const found: { file: string; path: string; methods: Method[] }[] = [];
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    // app/api/[...path]: the fallback that answers unknown paths with the JSON 404, no endpoint
    if (entry.isDirectory() && rel === 'app/api/[...path]') continue;
    if (entry.isDirectory()) found.push(...routeFiles(root, rel));
    else if (/^route\.(ts|tsx|js|mjs)$/.test(entry.name)) {
      found.push({ file: rel, path: routePath(rel), methods: exportedMethods(readFileSync(path.join(root, rel), 'utf8')) });
    }
  }
  return found.sort((a, b) => a.file.localeCompare(b.file));
}
