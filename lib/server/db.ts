// The one Prisma client of the process, cached on globalThis because Next loads modules
// more than once. Background consumers (lib/bus) use their own small pg pools instead.
import 'server-only';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@/lib/generated/prisma/client';
import { env } from '@/lib/env';
import { dbTimeouts } from '@/lib/db/guard-pool';

const cache = globalThis as unknown as { __eventdeskPrisma?: PrismaClient };

export function createPrismaClient(databaseUrl: string, max = 10): PrismaClient {
  // every wait bounded (lib/db/guard-pool.ts): statements, row locks, idle transactions, answers
  const adapter = new PrismaPg({ connectionString: databaseUrl, max, ...dbTimeouts(), application_name: 'eventdesk-console' });
  return new PrismaClient({ adapter });
}

export const prisma: PrismaClient = (cache.__eventdeskPrisma ??= createPrismaClient(env().DATABASE_URL));

/** The Prisma client as a `{ query }` for code shared with the pg-pool side (lib/bus). */
export function prismaQueryable(db: Pick<PrismaClient, '$queryRawUnsafe'> = prisma) {
  return {
    query: async <R extends object>(text: string, values: unknown[] = []) => ({ rows: await db.$queryRawUnsafe<R[]>(text, ...values) }),
  };
}
