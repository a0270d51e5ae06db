// The process's republish runtime (shared with the background runner via globalThis).
import 'server-only';
import { republishRuntime, type RepublishRuntime } from '@/lib/jobs/republish-runtime';
import { republishSettingsFromEnv } from '@/lib/jobs/republish-settings';

export function getRepublishRuntime(): RepublishRuntime {
  return republishRuntime(republishSettingsFromEnv());
}
