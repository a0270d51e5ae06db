'use client';
// POST /api/notifications/channels/:id/test (admin): queue a test; the deliveries show it.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { testQueuedSchema } from '@/lib/schemas/notifications';
import { queryKeys } from './query-keys';
import { sendJson } from './send-json';

export function useTestNotificationChannel() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => sendJson('POST', `/api/notifications/channels/${encodeURIComponent(id)}/test`, testQueuedSchema),
    onSuccess: (_r, id) => client.invalidateQueries({ queryKey: queryKeys.notifications.deliveries(id) }),
  });
}
