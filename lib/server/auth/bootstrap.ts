// First start: the session secret (when NEXTAUTH_SECRET is not given) is generated once and kept
// in the database, so every process and restart signs and reads the same cookies; and when no
// user exists yet, the admin is created from ADMIN_EMAIL / ADMIN_PASSWORD or with a generated
// password printed once, in a framed block on stdout. Idempotent and safe with several processes starting at once.
import 'server-only';
import { randomBytes } from 'node:crypto';
import { env } from '@/lib/env';
import { logger } from '@/lib/log';
import { prisma } from '@/lib/server/db';
import { firstAdminBanner } from './first-admin-banner';
import { generatePassword, hashPassword } from './passwords';

const SECRET_NAME = 'nextauth_secret';
const cache = globalThis as unknown as { __eventdeskAuthReady?: Promise<string> };

async function loadOrCreateSecret(): Promise<string> {
  const given = env().NEXTAUTH_SECRET;
  if (given) return given;
  // Two processes racing: the first insert wins and both read the winner back.
  await prisma.$executeRaw`INSERT INTO "app_secrets" ("name", "value") VALUES (${SECRET_NAME}, ${randomBytes(32).toString('base64url')}) ON CONFLICT ("name") DO NOTHING`;
  const row = await prisma.appSecret.findUniqueOrThrow({ where: { name: SECRET_NAME } });
  return row.value;
}

async function createFirstAdmin(): Promise<void> {
  const settings = env();
  const password = settings.ADMIN_PASSWORD ?? generatePassword();
  const email = settings.ADMIN_EMAIL.toLowerCase();
  const passwordHash = await hashPassword(password);
  // Only when the table is empty; ON CONFLICT covers two processes inserting at the same moment.
  const inserted = await prisma.$queryRaw<{ id: string }[]>`
    INSERT INTO "users" ("email", "name", "role", "password_hash", "created_by")
    SELECT ${email}, 'Administrator', 'admin', ${passwordHash}, 'bootstrap'
    WHERE NOT EXISTS (SELECT 1 FROM "users")
    ON CONFLICT ("email") DO NOTHING
    RETURNING "id"`;
  if (inserted.length === 0) return;
  if (settings.ADMIN_PASSWORD) {
    logger.info({ email }, 'created the first admin from ADMIN_EMAIL / ADMIN_PASSWORD');
  } else {
    // Printed this once only: it is not stored anywhere but as its hash. A framed plain-text block
    // on stdout, not a field of a JSON log line, so that the person starting it sees it.
    process.stdout.write(firstAdminBanner({ url: settings.NEXTAUTH_URL!, email, password }));
    logger.warn({ email }, `created the first admin ${email} with a generated password (printed above in a frame, once only)`);
  }
}

/**
 * Resolves to the session secret once the secret and the first admin exist. Every auth entry
 * point awaits it; it also sets process.env.NEXTAUTH_SECRET, which next-auth reads by itself.
 */
export function ensureAuthReady(): Promise<string> {
  cache.__eventdeskAuthReady ??= (async () => {
    const secret = await loadOrCreateSecret();
    process.env.NEXTAUTH_SECRET = secret;
    await createFirstAdmin();
    return secret;
  })().catch((err) => {
    cache.__eventdeskAuthReady = undefined; // the database may come back: try again next time
    throw err;
  });
  return cache.__eventdeskAuthReady;
}
