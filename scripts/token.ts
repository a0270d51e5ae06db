// `npm run --silent token -- create --role viewer|operator|admin --name NAME`: creates an API
// token and prints only the token (so `TOKEN=$(npm run --silent token -- create ...)` works).
// Creates and migrates the database first when needed; everything else goes to stderr.
import 'dotenv/config';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { env, EnvError } from '@/lib/env';
import { ensureDatabase } from '@/lib/db/ensure-database';
import { migrate } from '@/lib/db/migrate';
import { ensureTokenNameFree, insertApiToken } from '@/lib/server/auth/api-token-core';
import { createTokenSchema } from '@/lib/schemas/tokens';

const USAGE = 'usage: npm run --silent token -- create --role viewer|operator|admin --name NAME';

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

async function main() {
  let args;
  try {
    args = parseArgs({ allowPositionals: true, options: { role: { type: 'string' }, name: { type: 'string' } } });
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`);
  }
  if (args.positionals[0] !== 'create' || args.positionals.length !== 1) fail(USAGE);
  const input = createTokenSchema.safeParse({ name: args.values.name ?? '', role: args.values.role ?? '' });
  if (!input.success) fail(`${input.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('\n')}\n${USAGE}`);

  let databaseUrl: string;
  try {
    databaseUrl = env().DATABASE_URL;
  } catch (err) {
    fail(err instanceof EnvError ? err.message : String(err));
  }
  try {
    await ensureDatabase(databaseUrl);
    await migrate(databaseUrl);
  } catch (err) {
    fail(`cannot prepare the database: ${(err as Error).message}`);
  }
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query('BEGIN');
    await ensureTokenNameFree(client, input.data.name);
    const { token } = await insertApiToken(client, { ...input.data, createdBy: 'cli' });
    await client.query('COMMIT');
    process.stdout.write(`${token}\n`);
  } finally {
    await client.end();
  }
}

main().catch((err) => fail(`token: ${(err as Error).message}`));
