/**
 * `npm run gateway -- users …` (src/gateway/users-cli.ts) on a temp data dir: add prints the token once as
 * the last line and stores only its hash; list, token, set, revoke; bad input says what to fix and stores
 * nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '@node/clock';
import { main } from '@gateway/cli';
import { openUserStore } from '@gateway/sqlite/users';
import { parseToken, secretMatchesHash } from '@gateway/tokens';
import { runUsers } from '@gateway/users-cli';
import { tempDir } from '@test/helpers/tmp';

let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.reverse().forEach((c) => c());
  cleanups = [];
});

function setup() {
  const d = tempDir('vigil-users-cli-');
  cleanups.push(d.cleanup);
  const clock = new FakeClock(Date.UTC(2026, 0, 5, 9, 0));
  const lines: string[] = [];
  const run = (...args: string[]) =>
    runUsers([...args, '--data-dir', d.dir], { out: (l) => lines.push(l), clock, by: 'cli:test' });
  const people = () => {
    const s = openUserStore(path.join(d.dir, 'gateway.db'));
    try {
      const tokens = s.tokens();
      const hashes = new Map(tokens.map((t) => [t.id, s.tokenSecret(t.id)!.hash]));
      return { users: s.users(), tokens, hash: (id: string) => hashes.get(id)! };
    } finally {
      s.close();
    }
  };
  return { dir: d.dir, clock, lines, run, people };
}

describe('gateway users command', () => {
  it('adds a person and prints their token once, as the last line; only its hash is stored', async () => {
    const { run, lines, people, dir } = setup();
    await run('add', 'zhangsan', '--name', '张三', '--role', 'responder', '--expires', '90d');
    const last = lines.at(-1)!;
    expect(last).toMatch(/^token: vgl_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const token = last.slice('token: '.length);
    const { id, secret } = parseToken(token)!;
    expect(lines[0]).toMatch(/^Added zhangsan \(张三, responder\)/);
    expect(lines.join('\n')).toContain('expires 2026-04-05 09:00 UTC');
    const p = people();
    expect(p.users).toMatchObject([{ login: 'zhangsan', name: '张三', role: 'responder', origin: 'cli' }]);
    expect(p.tokens).toMatchObject([{ id, expiresAt: Date.UTC(2026, 3, 5, 9, 0) }]);
    expect(await secretMatchesHash(secret, p.hash(id))).toBe(true);
    const bytes = fs.readFileSync(path.join(dir, 'gateway.db'));
    expect(bytes.includes(Buffer.from(secret))).toBe(false);
  });

  it('lists people with their tokens, issues another token, changes a role and revokes', async () => {
    const { run, lines, people, clock } = setup();
    await run('list');
    expect(lines.pop()).toMatch(/No people yet/);
    await run('add', 'lisi', '--name', '李四', '--role', 'viewer');
    clock.advance(30_000);
    await run('token', 'lisi', '--expires', '12h');
    const second = parseToken(lines.at(-1)!.slice(7))!.id;
    await run('set', 'lisi', '--role', 'responder');
    expect(lines.at(-1)).toBe('lisi is now 李四, responder.');
    clock.advance(60_000);
    await run('revoke', 'lisi', '--token', second);
    lines.length = 0;
    await run('list');
    expect(lines[0]).toMatch(/^lisi {2}李四 {2}responder {2}\(cli, added 2026-01-05 09:00\)$/);
    expect(lines[1]).toMatch(/token [0-9a-f]{16} {2}created 2026-01-05 09:00 {2}last used never {2}expires never/);
    expect(lines[2]).toMatch(new RegExp(`token ${second} {2}created 2026-01-05 09:00 .*revoked 2026-01-05 09:01`));
    await run('revoke', 'lisi');
    expect(lines.at(-1)).toMatch(/lisi revoked \(1 usable token\(s\)\)/);
    expect(people().users[0].revokedAt).not.toBeNull();
    await expect(run('token', 'lisi')).rejects.toThrow(/"lisi" is revoked; add them again to reinstate them/);
    await run('add', 'lisi', '--name', '李四', '--role', 'viewer');
    expect(lines.some((l) => l.startsWith('Reinstated lisi'))).toBe(true);
  });

  it('refuses bad input with what to fix, storing nothing', async () => {
    const { run, people } = setup();
    await expect(run('add', 'zhangsan', '--name', '张三', '--role', 'boss')).rejects.toThrow(
      /--role must be viewer, responder or admin/,
    );
    await expect(run('add', 'zhangsan', '--role', 'viewer')).rejects.toThrow(/--name must be 1–64 characters/);
    await expect(run('add', 'zhang san', '--name', 'x', '--role', 'viewer')).rejects.toThrow(/is not a login/);
    await expect(run('add', 'zhangsan', '--name', 'x', '--role', 'viewer', '--expires', '1y')).rejects.toThrow(
      /--expires takes/,
    );
    await expect(run('revoke', 'nobody')).rejects.toThrow(/no person with the login "nobody"/);
    await expect(run('fly')).rejects.toThrow(/unknown users command "fly"/);
    expect(people().users).toEqual([]);
    await run('add', 'zhangsan', '--name', '张三', '--role', 'viewer');
    await expect(run('add', 'zhangsan', '--name', '张三', '--role', 'viewer')).rejects.toThrow(/already a person here/);
  });

  it('is reached as `gateway users …` from the gateway command line', async () => {
    const d = tempDir('vigil-users-main-');
    cleanups.push(d.cleanup);
    const out: string[] = [];
    const log = console.log;
    console.log = (l: string) => out.push(l);
    try {
      expect(
        await main(['users', 'add', 'wangwu', '--name', '王五', '--role', 'admin', '--data-dir', d.dir]),
      ).toBeNull();
    } finally {
      console.log = log;
    }
    expect(out.at(-1)).toMatch(/^token: vgl_/);
  });
});
