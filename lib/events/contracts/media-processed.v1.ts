// media.processed 1.x: a video was transcoded and its HLS stream is ready (or failed).
import { z } from 'zod';
import { defineContract } from '../define-contract';
import { entityId, httpUrl } from '../fields';

export const mediaStatus = z.enum(['processing', 'completed', 'failed']);

export const mediaProcessedV1 = defineContract({
  eventType: 'media.processed',
  major: 1,
  minor: 0,
  data: z.looseObject({
    mediaId: entityId,
    courseId: entityId,
    lectureId: entityId,
    fileUrl: httpUrl,
    hlsUrl: httpUrl,
    thumbnailUrl: httpUrl,
    /** seconds */
    duration: z.number().finite().nonnegative('must not be negative'),
    status: mediaStatus,
  }),
  example: {
    eventId: '7a8b9c0d-1e2f-4a3b-8c5d-6e7f8091a2b3',
    eventType: 'media.processed',
    timestamp: '2026-11-20T10:38:00Z',
    version: '1.0',
    source: 'media-processing-service',
    data: {
      mediaId: 'media123',
      courseId: 'course123',
      lectureId: 'lecture456',
      fileUrl: 'https://storage.example.com/video.mp4',
      hlsUrl: 'https://cdn.example.com/playlist.m3u8',
      thumbnailUrl: 'https://cdn.example.com/thumb.jpg',
      duration: 1200,
      status: 'completed',
    },
  },
});

export type MediaProcessedV1 = z.infer<typeof mediaProcessedV1.schema>;
