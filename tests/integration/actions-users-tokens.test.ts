// The admin actions on users and API tokens (lib/actions/create-user.ts, update-user.ts,
// create-api-token.ts, revoke-api-token.ts) against PostgreSQL: each change writes one audit line
// (never a password or a token), and refusals are domain errors that write nothing.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeEnv, type RouteEnv } from './route-handlers';
import { actionErrorOf, auditLines } from './actions-fixtures';

let env: RouteEnv;
let actions: {
  createUser: typeof import('@/lib/actions/create-user').createUser;
  updateUser: typeof import('@/lib/actions/update-user').updateUser;
  createApiToken: typeof import('@/lib/actions/create-api-token').createApiToken;
  revokeApiToken: typeof import('@/lib/actions/revoke-api-token').revokeApiToken;
};
const admin = { name: 'ada@example.com', role: 'admin' as const, kind: 'user' };

beforeAll(async () => {
  env = await routeEnv('actionsusers'); // points the process's Prisma client at a database of its own
  actions = {
    createUser: (await import('@/lib/actions/create-user')).createUser,
    updateUser: (await import('@/lib/actions/update-user')).updateUser,
    createApiToken: (await import('@/lib/actions/create-api-token')).createApiToken,
    revokeApiToken: (await import('@/lib/actions/revoke-api-token')).revokeApiToken,
  };
}, 120_000);

afterAll(async () => {
  const { prisma } = await import('@/lib/server/db');
  await prisma.$disconnect();
  await env?.db.drop();
});

describe('user actions', () => {
  it('creating a user writes one audit line without the password; the same email again is a conflict that writes nothing', async () => {
    const email = `new-${randomUUID()}@example.com`;
    const { user, password } = await actions.createUser(admin, { email, role: 'viewer' });
    expect(password).toBeTruthy();
    const lines = await auditLines(env.db.pool, `user:${user.id}`);
    expect(lines).toEqual([
      { actor: admin.name, action: 'user-create', target: `user:${user.id}`, reason: null, details: { email, role: 'viewer', passwordGenerated: true } },
    ]);
    expect(JSON.stringify(lines)).not.toContain(password!);

    const err = await actionErrorOf(actions.createUser(admin, { email, role: 'admin', password: 'another-long-password' }));
    expect(err.kind).toBe('conflict');
    const { rows } = await env.db.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'user-create' AND details->>'email' = $1`, [email]);
    expect(rows[0].n).toBe(1);
  });

  it('changing a role and resetting a password are audited with what changed; the last admin cannot be demoted', async () => {
    const { user } = await actions.createUser(admin, { email: `op-${randomUUID()}@example.com`, role: 'operator', password: 'a-long-enough-password' });
    const { password } = await actions.updateUser(admin, { id: user.id, role: 'viewer', resetPassword: true });
    const lines = await auditLines(env.db.pool, `user:${user.id}`);
    expect(lines.map((l) => l.action)).toEqual(['user-create', 'user-update']);
    expect(lines[1].details).toEqual({ email: user.email, role: { from: 'operator', to: 'viewer' }, passwordReset: true, sessionsEnded: true });
    expect(JSON.stringify(lines)).not.toContain(password!);

    // the same role again changes nothing: no audit line, the row untouched
    const updatedAt = (await env.db.pool.query(`SELECT updated_at FROM users WHERE id = $1`, [user.id])).rows[0].updated_at;
    const same = await actions.updateUser(admin, { id: user.id, role: 'viewer', status: 'active' });
    expect(same.user.role).toBe('viewer');
    expect(same.password).toBeUndefined();
    expect((await auditLines(env.db.pool, `user:${user.id}`)).length).toBe(2);
    expect((await env.db.pool.query(`SELECT updated_at FROM users WHERE id = $1`, [user.id])).rows[0].updated_at).toEqual(updatedAt);

    const { user: only } = await actions.createUser(admin, { email: `admin-${randomUUID()}@example.com`, role: 'admin', password: 'a-long-enough-password' });
    const { rows } = await env.db.pool.query(`SELECT id FROM users WHERE role = 'admin' AND status = 'active'`);
    expect(rows.map((r) => r.id)).toEqual([only.id]); // this test's database: the one admin
    const lastAdmin = only.id;
    const before = await auditLines(env.db.pool, `user:${lastAdmin}`);
    const err = await actionErrorOf(actions.updateUser({ name: 'someone-else@example.com', role: 'admin', kind: 'token' }, { id: lastAdmin, role: 'viewer' }));
    expect(err.kind).toBe('conflict');
    expect(await auditLines(env.db.pool, `user:${lastAdmin}`)).toEqual(before);
  });

  it('an unknown or malformed id is not found', async () => {
    expect((await actionErrorOf(actions.updateUser(admin, { id: randomUUID(), role: 'viewer' }))).kind).toBe('not_found');
    expect((await actionErrorOf(actions.updateUser(admin, { id: 'nope', role: 'viewer' }))).kind).toBe('not_found');
  });
});

describe('assignees who can no longer act', () => {
  it('disabling an operator, or making one a viewer, unassigns their groups with a history entry each and says so in the audit line', async () => {
    const { seedDeadLetter } = await import('./triage-seed');
    for (const change of [{ status: 'disabled' as const }, { role: 'viewer' as const }]) {
      const { user } = await actions.createUser(admin, { email: `op-${randomUUID()}@example.com`, role: 'operator' });
      const groups = [];
      for (let i = 0; i < 2; i++) groups.push((await seedDeadLetter(env.db.pool, { queue: `assigned-${randomUUID()}` })).groupId);
      const other = (await seedDeadLetter(env.db.pool, { queue: `other-${randomUUID()}` })).groupId;
      const colleague = (await actions.createUser(admin, { email: `op-${randomUUID()}@example.com`, role: 'operator' })).user;
      await env.db.pool.query('UPDATE failure_groups SET assignee_id = $1 WHERE id = ANY($2::text[])', [user.id, groups]);
      await env.db.pool.query('UPDATE failure_groups SET assignee_id = $1 WHERE id = $2', [colleague.id, other]);
      await actions.updateUser(admin, { id: user.id, ...change });
      const { rows } = await env.db.pool.query<{ id: string; assignee_id: string | null }>(
        'SELECT id, assignee_id FROM failure_groups WHERE id = ANY($1::text[])',
        [[...groups, other]],
      );
      expect(Object.fromEntries(rows.map((r) => [r.id, r.assignee_id]))).toEqual({ [groups[0]]: null, [groups[1]]: null, [other]: colleague.id });
      const history = await env.db.pool.query<{ group_id: string; actor: string; reason: string; details: { from: { email: string }; to: null } }>(
        `SELECT group_id, actor, reason, details FROM failure_group_history WHERE action = 'unassigned' AND group_id = ANY($1::text[]) ORDER BY group_id`,
        [[...groups, other]],
      );
      expect(history.rows.map((h) => h.group_id)).toEqual([...groups].sort());
      expect(history.rows[0]).toMatchObject({
        actor: admin.name,
        reason: change.status ? 'the assignee was disabled' : 'the assignee is a viewer now',
        details: { from: { email: user.email }, to: null },
      });
      const lines = await auditLines(env.db.pool, `user:${user.id}`);
      expect(lines[lines.length - 1].details).toMatchObject({ unassignedGroups: 2 });
      // and a group-change audit line on each group, as an operator's unassignment writes
      const groupLines = await env.db.pool.query<{ target: string; actor: string; details: unknown }>(
        `SELECT target, actor, details FROM audit_log WHERE action = 'group-change' AND target = ANY($1::text[]) ORDER BY target`,
        [[...groups, other].map((g) => `group:${g}`)],
      );
      expect(groupLines.rows.map((l) => l.target)).toEqual(groups.map((g) => `group:${g}`).sort());
      expect(groupLines.rows[0]).toMatchObject({ actor: admin.name, details: { assignee: { from: { id: user.id, email: user.email }, to: null } } });
    }
  });
});

describe('assigning while the assignee is being disabled', () => {
  it('waits for the disable and then refuses: a group is never left assigned to a disabled user', async () => {
    const pg = (await import('pg')).default;
    const { changeGroup } = await import('@/lib/actions/change-group');
    const { seedDeadLetter } = await import('./triage-seed');
    const { user } = await actions.createUser(admin, { email: `op-${randomUUID()}@example.com`, role: 'operator' });
    const group = (await seedDeadLetter(env.db.pool, { queue: `race-${randomUUID()}` })).groupId;
    // an admin's disable of the user in flight: the user's row locked, status changed, not committed
    const disabling = new pg.Client({ connectionString: env.db.url });
    await disabling.connect();
    try {
      await disabling.query('BEGIN');
      await disabling.query(`SELECT id FROM users WHERE id = $1 FOR UPDATE`, [user.id]);
      await disabling.query(`UPDATE users SET status = 'disabled' WHERE id = $1`, [user.id]);
      const assigning = changeGroup({ ...admin, userId: undefined }, { id: group, assigneeId: user.id }).then(
        () => 'assigned',
        (err: { kind?: string }) => err.kind ?? 'error',
      );
      await new Promise((r) => setTimeout(r, 500));
      await disabling.query('COMMIT');
      expect(await assigning).toBe('invalid'); // it waited, then saw the user disabled
    } finally {
      await disabling.query('ROLLBACK').catch(() => undefined);
      await disabling.end();
    }
    const { rows } = await env.db.pool.query<{ assignee_id: string | null }>('SELECT assignee_id FROM failure_groups WHERE id = $1', [group]);
    expect(rows[0].assignee_id).toBeNull();
  });
});

describe('API token actions', () => {
  it('creating and revoking a token are audited without the token; revoking twice writes one line; unknown is not found', async () => {
    const { token, item } = await actions.createApiToken(admin, { name: 'ci-script', role: 'operator' });
    await actions.revokeApiToken(admin, { id: item.id });
    const again = await actions.revokeApiToken(admin, { id: item.id });
    expect(again.revokedAt).not.toBeNull();
    const lines = await auditLines(env.db.pool, `api-token:${item.id}`);
    expect(lines.map((l) => [l.actor, l.action])).toEqual([
      [admin.name, 'token-create'],
      [admin.name, 'token-revoke'],
    ]);
    expect(lines[0].details).toEqual({ name: 'ci-script', role: 'operator', prefix: item.prefix });
    expect(JSON.stringify(lines)).not.toContain(token);
    expect((await actionErrorOf(actions.revokeApiToken(admin, { id: randomUUID() }))).kind).toBe('not_found');
  });

  it('twenty revokes of one token at once: all answer it revoked, one audit line, one revokedAt', async () => {
    const { item } = await actions.createApiToken(admin, { name: 'raced', role: 'viewer' });
    const results = await Promise.all(Array.from({ length: 20 }, () => actions.revokeApiToken(admin, { id: item.id })));
    expect(new Set(results.map((r) => r.revokedAt))).toHaveLength(1);
    expect(results[0].revokedAt).not.toBeNull();
    const lines = await auditLines(env.db.pool, `api-token:${item.id}`);
    expect(lines.map((l) => l.action)).toEqual(['token-create', 'token-revoke']);
  });

  it("one name, one token (the name is the audit actor): ten creations at once make one; a revoked token's name stays taken", async () => {
    const name = `deploy-${randomUUID().slice(0, 8)}`;
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => actions.createApiToken(admin, { name: i % 2 ? name : name.toUpperCase(), role: 'viewer' })),
    );
    const made = results.filter((r) => r.status === 'fulfilled');
    expect(made).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected'))
      expect(r.reason).toMatchObject({
        kind: 'conflict',
        details: [{ field: 'name', message: 'taken by another token, live or revoked' }],
      });
    await actions.revokeApiToken(admin, { id: (made[0] as PromiseFulfilledResult<{ item: { id: string } }>).value.item.id });
    // revoked, its name still names it in the audit log: a new token cannot take it
    const again = await actionErrorOf(actions.createApiToken(admin, { name: name.toUpperCase(), role: 'viewer' }));
    expect(again).toMatchObject({ kind: 'conflict', details: [{ field: 'name' }] });
    expect((await actions.createApiToken(admin, { name: `${name}-2`, role: 'viewer' })).item.name).toBe(`${name}-2`);
  });
});

describe('token names', () => {
  it("refuses EventDesk's own audit actors as names, in any case", async () => {
    const { createTokenSchema } = await import('@/lib/schemas/tokens');
    for (const name of ['system', 'Drain', ' CLI ']) {
      const r = createTokenSchema.safeParse({ name, role: 'admin' });
      expect(r.success, name).toBe(false);
      expect(r.error?.issues[0].path).toEqual(['name']);
    }
    expect(createTokenSchema.safeParse({ name: 'drainer-bot', role: 'viewer' }).success).toBe(true);
  });
});
