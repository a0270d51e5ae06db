// The one react-query key factory. Keys are arrays led by the resource, so a mutation can
// invalidate a whole resource by prefix (e.g. queryKeys.deadLetters.all after a republish).
export const queryKeys = {
  health: () => ['health'] as const,
  deadLetters: {
    all: ['dead-letters'] as const,
    list: (params: Record<string, unknown>) => ['dead-letters', 'list', params] as const,
    facets: (filter: Record<string, unknown>) => ['dead-letters', 'facets', filter] as const,
    detail: (id: string) => ['dead-letters', 'detail', id] as const,
  },
  groups: {
    all: ['groups'] as const,
    list: (params: Record<string, unknown>) => ['groups', 'list', params] as const,
    detail: (id: string) => ['groups', 'detail', id] as const,
  },
  stats: {
    all: ['stats'] as const,
    throughput: (params: Record<string, unknown>) => ['stats', 'throughput', params] as const,
    summary: () => ['stats', 'summary'] as const,
  },
  queues: { all: ['queues'] as const },
  processes: { all: ['processes'] as const },
  me: () => ['me'] as const,
  bulk: {
    all: ['bulk'] as const,
    job: (id: string) => ['bulk', 'job', id] as const,
  },
  audit: {
    all: ['audit'] as const,
    list: (params: Record<string, unknown>) => ['audit', 'list', params] as const,
  },
  users: {
    all: ['users'] as const,
    /** under users.all: creating or changing a user refreshes it too */
    assignable: () => ['users', 'assignable'] as const,
  },
  tokens: { all: ['tokens'] as const },
  notifications: {
    all: ['notifications'] as const,
    channels: () => ['notifications', 'channels'] as const,
    deliveries: (channelId: string) => ['notifications', 'deliveries', channelId] as const,
  },
};
