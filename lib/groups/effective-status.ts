// A failure group's status as everyone reads it (issue 16): a snoozed group whose snooze has
// ended is open, without any job having run. The drain sets it open for real when it stores a
// new dead letter of the group (lib/bus/group-lifecycle-writes.ts); until then every read (list,
// tab counts, detail, the actions' "from") computes it here.
export const GROUP_STATUSES = ['open', 'acknowledged', 'snoozed', 'resolved'] as const;
export type GroupStatus = (typeof GROUP_STATUSES)[number];

/** SQL: the effective status of the failure_groups row aliased `alias` (or unaliased: ''). */
export function effectiveStatusSql(alias = ''): string {
  const c = (name: string) => (alias ? `${alias}."${name}"` : `"${name}"`);
  return `(CASE WHEN ${c('status')} = 'snoozed' AND ${c('snoozed_until')} <= now() THEN 'open' ELSE ${c('status')} END)`;
}
