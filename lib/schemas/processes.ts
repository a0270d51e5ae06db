// Response shape of GET /api/processes (and the `processes` of GET /api/health): the live EventDesk
// processes on this database (lib/runtime/process-registry.ts), shared by the route and the hook.
import { z } from 'zod';

/** a process whose heartbeat (every 5 s) is older than this is not live */
export const PROCESS_LIVE_MS = 30_000;

export const processItemSchema = z.object({
  id: z.string(),
  host: z.string(),
  pid: z.number(),
  role: z.enum(['web', 'worker']),
  startedAt: z.string(),
  heartbeatAt: z.string(),
  /** the once-per-cluster duties it holds now (retention, republish-recovery) */
  duties: z.array(z.string()),
});
export type ProcessItem = z.infer<typeof processItemSchema>;

export const processesSchema = z.object({ items: z.array(processItemSchema) });
export type Processes = z.infer<typeof processesSchema>;
