'use client';
// PATCH /api/notifications/channels/:id (admin) and DELETE.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { channelSchema, type UpdateChannelInput } from '@/lib/schemas/notifications';
import { queryKeys } from './query-keys';
import { sendJson } from './send-json';

export function useUpdateNotificationChannel() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...input }: UpdateChannelInput & { id: string }) =>
      sendJson('PATCH', `/api/notifications/channels/${encodeURIComponent(id)}`, channelSchema, input),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.notifications.all }),
  });
}

export function useDeleteNotificationChannel() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => sendJson('DELETE', `/api/notifications/channels/${encodeURIComponent(id)}`, channelSchema),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.notifications.all }),
  });
}
