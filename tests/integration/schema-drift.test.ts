// Guards against drift between prisma/schema.prisma and the hand-written SQL migrations:
// migrate an empty database and compare every model's columns, types and nullability with
// the database catalog.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

interface Column {
  name: string;
  type: string;
  nullable: boolean;
}

const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Boolean: 'boolean',
  Float: 'double precision',
  Decimal: 'numeric',
  DateTime: 'timestamp without time zone',
  Json: 'jsonb',
  Bytes: 'bytea',
};

const NATIVE_TYPES: Record<string, string> = {
  Uuid: 'uuid',
  Timestamptz: 'timestamp with time zone',
  Timestamp: 'timestamp without time zone',
  Text: 'text',
  Integer: 'integer',
  BigInt: 'bigint',
  SmallInt: 'smallint',
  VarChar: 'character varying',
  Inet: 'inet',
  JsonB: 'jsonb',
  Json: 'json',
  Date: 'date',
  DoublePrecision: 'double precision',
};

/** A small reader of schema.prisma: enough for columns, types and @map/@@map. */
export function readPrismaModels(schema: string): Map<string, Column[]> {
  const tables = new Map<string, Column[]>();
  const enums = new Set([...schema.matchAll(/^enum\s+(\w+)\s*\{/gm)].map((m) => m[1]));
  const models = [...schema.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)];
  const modelNames = new Set(models.map((m) => m[1]));
  for (const [, modelName, body] of models) {
    const table = /@@map\("([^"]+)"\)/.exec(body)?.[1] ?? modelName;
    const columns: Column[] = [];
    for (const raw of body.split('\n')) {
      const line = raw.replace(/\/\/.*$/, '').trim();
      if (!line || line.startsWith('@@')) continue;
      const m = /^(\w+)\s+(\w+)(\[\])?(\?)?(.*)$/.exec(line);
      if (!m) continue;
      const [, field, type, list, optional, rest] = m;
      if (modelNames.has(type)) continue; // relation fields have no column
      const native = /@db\.(\w+)/.exec(rest)?.[1];
      // Unsupported("tsvector") names the SQL type itself
      const unsupported = type === 'Unsupported' ? /^\("([^"]+)"\)/.exec(rest)?.[1] : undefined;
      // a list of a scalar (String[]) is an array column; information_schema names it ARRAY
      const sqlType = list ? 'ARRAY' : (unsupported ?? (enums.has(type) ? 'USER-DEFINED' : native ? NATIVE_TYPES[native] : SCALAR_TYPES[type]));
      // Unsupported("xid8")? is optional too: its ? follows the parenthesis
      const nullable = Boolean(optional) || (unsupported !== undefined && /^\("[^"]+"\)\?/.test(rest));
      columns.push({ name: /@map\("([^"]+)"\)/.exec(rest)?.[1] ?? field, type: sqlType ?? `unknown:${type}`, nullable });
    }
    tables.set(table, columns);
  }
  return tables;
}

describe('schema.prisma matches the migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('drift');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('has every model column with its type and nullability, and no unmodelled column', async () => {
    const models = readPrismaModels(readFileSync(path.join(process.cwd(), 'prisma', 'schema.prisma'), 'utf8'));
    expect(models.size).toBeGreaterThan(0);
    const { rows } = await db.pool.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
      `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
    );
    const actual = new Map<string, Column[]>();
    for (const r of rows) {
      const list = actual.get(r.table_name) ?? [];
      list.push({ name: r.column_name, type: r.data_type, nullable: r.is_nullable === 'YES' });
      actual.set(r.table_name, list);
    }
    const sortCols = (cols: Column[]) => [...cols].sort((a, b) => a.name.localeCompare(b.name));
    for (const [table, columns] of models) {
      expect(actual.has(table), `table ${table} exists`).toBe(true);
      expect(sortCols(actual.get(table)!), `columns of ${table}`).toEqual(sortCols(columns));
    }
    expect([...actual.keys()].sort(), 'every table is modelled').toEqual([...models.keys()].sort());
  });
});
