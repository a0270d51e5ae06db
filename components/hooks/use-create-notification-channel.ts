'use client';
// POST /api/notifications/channels (admin): the channel's secret is in this response only.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { createdChannelSchema, type CreateChannelInput } from '@/lib/schemas/notifications';
import { queryKeys } from './query-keys';
import { sendJson } from './send-json';

export function useCreateNotificationChannel() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateChannelInput) => sendJson('POST', '/api/notifications/channels', createdChannelSchema, input),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.notifications.all }),
  });
}
