'use client';
// GET /api/notifications/channels (admin): the notification channels.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { channelListSchema } from '@/lib/schemas/notifications';
import { fetchJson } from './fetch-json';
import { queryKeys } from './query-keys';

export function useNotificationChannels() {
  return useQuery({
    queryKey: queryKeys.notifications.channels(),
    queryFn: ({ signal }) => fetchJson('/api/notifications/channels', channelListSchema, signal),
    placeholderData: keepPreviousData,
  });
}
