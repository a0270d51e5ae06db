// Adapts the one Prisma client to the SqlQuery shape lib/bus/tap-rollups.ts runs its SQL with.
import 'server-only';
import type { SqlQuery } from '@/lib/bus/tap-rollups';
import { prisma } from '@/lib/server/db';

export const prismaQuery: SqlQuery = (sql, params) => prisma.$queryRawUnsafe(sql, ...params);
