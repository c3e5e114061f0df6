/**
 * The advisory lock keys the gateway takes on PostgreSQL, as (class, object) pairs of int4: one class per
 * purpose, so they never collide with each other (or, very likely, with another application's locks).
 */
const CLASS = { migrations: 0x5647_0001, leader: 0x5647_0002, action: 0x5647_0003 } as const;

export const LOCKS = {
  /** held while migrations are checked and applied */
  migrations: [CLASS.migrations, 1] as [number, number],
  /** SQL for the key of one source's leadership: ($1 = source name) */
  leaderSql: `${CLASS.leader}, hashtext($1)`,
  /** the class of the leadership locks (to find them in pg_locks) */
  leaderClass: CLASS.leader,
  /** SQL for the key of one action id being applied upstream ($1 = action id) */
  actionSql: `${CLASS.action}, hashtext($1)`,
};
