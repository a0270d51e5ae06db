// A stored message body read in 1 MB pieces (RabbitMQ lets bodies reach 128 MB): each piece is
// its own query, hashed and decoded as it comes, and the text stays in pieces (TextPieces) all
// the way to the response, so no single step holds the event loop for long. One `SELECT body`
// of 20 MB held it ~900 ms (bytea text decoding, then one big string); in pieces, ~20 ms.
import 'server-only';
import { createHash } from 'node:crypto';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { TextPieces } from '@/lib/api/json-stream';
import { bodyPieces } from '@/lib/bus/message-body';
import { prismaQueryable } from '@/lib/server/db';

export interface MessageBody {
  encoding: 'utf8' | 'base64';
  data: TextPieces;
  sizeBytes: number;
  sha256: string;
}

// NUL and most C0 controls mean binary even when the bytes happen to decode as UTF-8
const CONTROL = /[\u0000-\u0008\u000e-\u001f]/;

/**
 * The body of dead_letter_messages row `messageId`: utf8 when the bytes are valid UTF-8 text,
 * else base64 (the client shows hex for those), with the sha256 of the exact bytes.
 */
export async function readMessageBody(db: PrismaClient, messageId: bigint): Promise<MessageBody> {
  const hash = createHash('sha256');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const text: string[] = [];
  const bytes: Buffer[] = [];
  let isText = true;
  let sizeBytes = 0;
  for await (const piece of bodyPieces(prismaQueryable(db), messageId)) {
    sizeBytes += piece.length;
    hash.update(piece);
    bytes.push(piece);
    if (isText) {
      try {
        const part = decoder.decode(piece, { stream: true }); // whole code points only
        if (CONTROL.test(part)) isText = false;
        else text.push(part);
      } catch {
        isText = false;
      }
    }
  }
  if (isText) {
    try {
      text.push(decoder.decode()); // an incomplete sequence at the end throws: not UTF-8
    } catch {
      isText = false;
    }
  }
  return {
    encoding: isText ? 'utf8' : 'base64',
    data: new TextPieces(isText ? text : bytes.map((b) => b.toString('base64'))),
    sizeBytes,
    sha256: hash.digest('hex'),
  };
}
