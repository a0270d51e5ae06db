// GET /api/stats/throughput: published and dead-lettered per type and bucket, from the rollups.
import 'server-only';
import { queryThroughput, type SqlQuery } from '@/lib/bus/tap-rollups';
import type { Throughput, ThroughputQuery } from '@/lib/schemas/stats';
import { prismaQuery } from './sql-query';

export async function getThroughput(q: ThroughputQuery, query: SqlQuery = prismaQuery): Promise<Throughput> {
  const result = await queryThroughput(query, { from: q.from, to: q.to, eventTypes: q.eventTypes });
  const alignedFrom = Math.floor(q.from.getTime() / (result.bucketSeconds * 1000)) * result.bucketSeconds * 1000;
  return { ...result, from: new Date(alignedFrom).toISOString(), to: q.to.toISOString() };
}
