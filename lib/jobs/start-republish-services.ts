// Starts this process's republish services: outbox recovery first (so a restarted process
// settles what it left unfinished before resuming bulk work), then the bulk runner, then a
// periodic recovery pass (which also keeps the ledger queue short). With several processes the
// recovery passes are a once-per-cluster duty (lib/runtime/background.ts, `externalRecovery`):
// then this only starts the runner once the owner lock is held, and the duty calls recover().
import type { Logger } from 'pino';
import { logger as rootLogger } from '@/lib/log';
import { BulkRunner, type BulkRunnerOptions } from './bulk-runner';
import { recoverRepublishIntents } from './recover-republish-intents';
import { republishRuntime, type RepublishSettings } from './republish-runtime';
import { republishSettingsFromEnv } from './republish-settings';

export interface RepublishServices {
  runner: BulkRunner;
  /** this process's republish owner id (republish_intents.owner, bulk_jobs.lease_owner) */
  ownerId: string;
  /** one recovery pass, once the owner lock is held (recovery must know its own id is alive) */
  recover(): Promise<void>;
  stop(): Promise<void>;
}

export function startRepublishServices(
  settings: RepublishSettings,
  options: { recoveryEveryMs?: number; runner?: BulkRunnerOptions; logger?: Logger; externalRecovery?: boolean } = {},
): RepublishServices {
  const log = (options.logger ?? rootLogger).child({ component: 'republish-services' });
  const rt = republishRuntime(settings);
  const runner = new BulkRunner(rt, options.runner);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const recover = async () => {
    try {
      const report = await recoverRepublishIntents(rt);
      if (report.stale || report.ledgerAcked) log.info(report, 'republish recovery pass');
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'republish recovery pass failed; will retry');
    }
  };
  const schedule = () => {
    if (stopped) return;
    // recover() logs its own failures and never rejects
    timer = setTimeout(() => void recover().then(schedule), options.recoveryEveryMs ?? 30_000);
    timer.unref?.();
  };

  void (async () => {
    // the owner lock first (recovery must know its own id is alive); each wait is bounded
    for (;;) {
      if (stopped) return;
      try {
        await rt.owner.start();
        break;
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'republish owner lock not held yet; still trying');
      }
    }
    if (!options.externalRecovery) await recover();
    if (stopped) return;
    runner.start();
    if (!options.externalRecovery) schedule();
  })();

  return {
    runner,
    ownerId: rt.owner.id,
    async recover() {
      await rt.owner.held();
      await recover();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await runner.stop();
      await rt.close();
    },
  };
}

/** The entry point lib/runtime/background.ts calls. */
export function startRepublishServicesFromEnv(options: { externalRecovery?: boolean } = {}): RepublishServices {
  return startRepublishServices(republishSettingsFromEnv(), options);
}
