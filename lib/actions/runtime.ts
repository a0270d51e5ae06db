// The process's republish runtime (shared with the background runner via globalThis): the pool,
// publisher and owner lock the actions work with. No 'server-only' here or in the republish
// action: a test's child process (tests/integration/republish-crash-child.ts) loads them with tsx.
import { republishRuntime, type RepublishRuntime } from '@/lib/jobs/republish-runtime';
import { republishSettingsFromEnv } from '@/lib/jobs/republish-settings';

export function getRepublishRuntime(): RepublishRuntime {
  return republishRuntime(republishSettingsFromEnv());
}
