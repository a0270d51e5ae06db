// Prisma CLI configuration. Only `prisma generate` is used: migrations are applied by
// scripts/migrate.ts, because Prisma 7's schema engine cannot be downloaded offline.
import path from 'node:path';
import { defineConfig } from 'prisma/config';

process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(__dirname, 'prisma', 'schema-engine-unavailable.sh');

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: {
    // env('DATABASE_URL') would throw when unset and break postinstall.
    url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/eventdesk',
  },
});
