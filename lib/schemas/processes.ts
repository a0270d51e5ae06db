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

/**
 * A process as the public GET /api/health lists it: without host and pid, which only signed-in
 * users read (GET /api/processes, viewer): health answers load balancers and anyone who asks.
 */
export const publicProcessItemSchema = processItemSchema.omit({ host: true, pid: true });
export type PublicProcessItem = z.infer<typeof publicProcessItemSchema>;

export const processesSchema = z.object({ items: z.array(processItemSchema) });
export type Processes = z.infer<typeof processesSchema>;
