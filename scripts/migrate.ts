// `npm run db:migrate`: creates the database if missing and applies pending migrations.
import 'dotenv/config';
import { env, EnvError } from '@/lib/env';
import { ensureDatabase } from '@/lib/db/ensure-database';
import { migrate } from '@/lib/db/migrate';

export async function prepareDatabase(databaseUrl: string): Promise<void> {
  if (await ensureDatabase(databaseUrl)) console.log('created database');
  const applied = await migrate(databaseUrl);
  console.log(applied.length ? `applied migrations: ${applied.join(', ')}` : 'database is up to date');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await prepareDatabase(env().DATABASE_URL);
  } catch (err) {
    console.error(err instanceof EnvError ? err.message : `db:migrate failed: ${(err as Error).message}`);
    process.exit(1);
  }
}
