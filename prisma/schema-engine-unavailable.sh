#!/bin/sh
# Prisma's schema engine cannot be downloaded on our machines. `prisma generate` only checks
# that this file exists; migrations are applied by scripts/migrate.ts instead.
echo "prisma schema engine is not installed here: run 'npm run db:migrate' (scripts/migrate.ts)" >&2
exit 1
