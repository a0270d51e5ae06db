// CPU time per program (PostgreSQL, RabbitMQ, Node) over a stretch of a benchmark, read from
// /proc: on a 2-core machine the three share the cores, so "which one spends the time" is what
// says where a throughput figure can still come from. Linux only; elsewhere it reports nothing.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux build Node runs on

type Program = 'postgres' | 'rabbitmq' | 'node' | 'other';

function programOf(comm: string): Program {
  if (comm.startsWith('postgres') || comm === 'postmaster') return 'postgres';
  if (comm.startsWith('beam') || comm === 'erl_child_setup' || comm === 'epmd') return 'rabbitmq';
  if (comm === 'node' || comm.startsWith('node ')) return 'node';
  return 'other';
}

/** Cumulative CPU ticks (user + system) per process id, with the program it belongs to. */
function snapshot(): Map<string, { program: Program; ticks: number }> {
  const out = new Map<string, { program: Program; ticks: number }>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime are fields 14 and 15 of stat; here, after pid and comm, indexes 11 and 12
      out.set(pid, { program: programOf(comm), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the process ended between the listing and the read
    }
  }
  return out;
}

export interface CpuUsage {
  seconds: number;
  /** CPU seconds per program over the stretch */
  cpu: Record<Program, number>;
  /** share of all cores busy, 0..1 */
  busy: number;
}

/** Starts measuring; call the returned function at the end of the stretch. */
export function measureCpu(cores: number): () => CpuUsage {
  const before = snapshot();
  const started = performance.now();
  return () => {
    const after = snapshot();
    const seconds = (performance.now() - started) / 1000;
    const cpu: Record<Program, number> = { postgres: 0, rabbitmq: 0, node: 0, other: 0 };
    for (const [pid, a] of after) {
      const spent = a.ticks - (before.get(pid)?.ticks ?? 0);
      if (spent > 0) cpu[a.program] += spent / TICKS_PER_SECOND;
    }
    const total = cpu.postgres + cpu.rabbitmq + cpu.node + cpu.other;
    return { seconds, cpu, busy: total / (seconds * cores) };
  };
}

/** "PostgreSQL 123 us, RabbitMQ 98 us, Node 45 us per message; cores 91% busy" */
export function describeCpu(usage: CpuUsage, messages: number): string {
  const us = (s: number) => `${Math.round((s * 1e6) / messages)} us`;
  const { cpu } = usage;
  return `CPU per message: PostgreSQL ${us(cpu.postgres)}, RabbitMQ ${us(cpu.rabbitmq)}, Node ${us(cpu.node)}, other ${us(cpu.other)}; cores ${Math.round(usage.busy * 100)}% busy`;
}
