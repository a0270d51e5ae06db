'use client';
// GET /api/notifications/deliveries?channelId= (admin): a channel's last 50 deliveries. Polled
// while shown: a test or a retry lands within seconds.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { deliveryListSchema } from '@/lib/schemas/notifications';
import { fetchJson } from './fetch-json';
import { queryKeys } from './query-keys';

export function useNotificationDeliveries(channelId: string | null) {
  return useQuery({
    queryKey: queryKeys.notifications.deliveries(channelId ?? ''),
    queryFn: ({ signal }) => fetchJson(`/api/notifications/deliveries?channelId=${encodeURIComponent(channelId!)}`, deliveryListSchema, signal),
    enabled: Boolean(channelId),
    refetchInterval: 3000,
    placeholderData: keepPreviousData,
  });
}
