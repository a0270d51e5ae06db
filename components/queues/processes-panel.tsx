'use client';
// The EventDesk processes on this database (web servers and workers): where each runs, when it
// started, its last heartbeat, and the once-per-cluster duties it holds (retention, recovery).
import { useProcesses } from '@/components/hooks/use-processes';
import { useTimeFormat } from '@/components/ui/preferences';

export function ProcessesPanel() {
  const { data, error } = useProcesses();
  const { formatTime } = useTimeFormat();
  return (
    <section aria-label="Processes" className="rounded-md border border-slate-200 bg-white p-3">
      <h2 className="mb-2 text-sm font-semibold">Processes</h2>
      {error ? (
        <p role="alert" className="text-sm text-rose-800">
          {error.message}
        </p>
      ) : null}
      {data && data.items.length === 0 ? <p className="text-sm text-slate-500">No live process has a heartbeat under 30 s old.</p> : null}
      {data && data.items.length > 0 ? (
        <div className="relative overflow-x-auto">
          <table className="w-full text-sm" data-testid="processes-table">
            <thead>
              <tr className="border-b border-slate-200 text-left text-xs text-slate-500">
                <th className="py-1 pr-2 font-medium">Host</th>
                <th className="py-1 pr-2 text-right font-medium">PID</th>
                <th className="py-1 pr-2 font-medium">Role</th>
                <th className="py-1 pr-2 font-medium">Started</th>
                <th className="py-1 pr-2 font-medium">Last heartbeat</th>
                <th className="py-1 font-medium">Duties</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((p) => (
                <tr key={p.id} data-testid="process-row" data-role={p.role} className="border-b border-slate-100">
                  <td className="py-1 pr-2 font-mono text-xs">{p.host}</td>
                  <td className="py-1 pr-2 text-right tabular-nums">{p.pid}</td>
                  <td className="py-1 pr-2">{p.role}</td>
                  <td className="py-1 pr-2 tabular-nums">{formatTime(p.startedAt)}</td>
                  <td className="py-1 pr-2 tabular-nums">{formatTime(p.heartbeatAt)}</td>
                  <td className="py-1">{p.duties.length ? p.duties.join(', ') : <span className="text-slate-500">none</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
