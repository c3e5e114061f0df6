/**
 * Several gateway replicas in one platform URL setting (issue #17): the list is parsed and checked in
 * src/shared/domain.ts, and the link's target resolver (src/main/core/link/target.ts) uses one URL at a
 * time, moves to the next on failover, and says when every one has failed since the last welcome.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, platformUrlProblem, platformUrls, SettingsPatchSchema, type Settings } from '@shared/domain';
import { createTargetResolver } from '@main/core/link/target';
import { createLogger } from '@node/log';

const log = createLogger({ write: () => undefined });

function resolver(platformUrl: string | null, cliUrl: string | null = null) {
  const settings: Settings = { ...DEFAULT_SETTINGS, platformUrl };
  const secrets = { kind: 'memory' as const, get: async () => 'tok', set: async () => undefined };
  return createTargetResolver({ settings: () => settings, secrets, log } as never, { url: cliUrl, token: 'tok' });
}

describe('platform URL lists', () => {
  it('splits on commas, ignores blanks, and names the first bad URL', () => {
    expect(platformUrls(' ws://a:1 ,wss://b:2,, ')).toEqual(['ws://a:1', 'wss://b:2']);
    expect(platformUrlProblem('ws://a:1, wss://b:2')).toBeNull();
    expect(platformUrlProblem('ws://a:1, http://b:2')).toMatch(/must start with ws:\/\/ or wss:\/\/ \(http:\/\/b:2\)/);
    expect(platformUrlProblem(' , ')).toBe('platform URL is empty');
    expect(SettingsPatchSchema.safeParse({ platformUrl: 'ws://a:1,ws://b:2' }).success).toBe(true);
    expect(SettingsPatchSchema.safeParse({ platformUrl: 'ws://a:1,nope' }).success).toBe(false);
  });

  it('uses one gateway at a time, moves on at failover, and stops hurrying once all failed since a welcome', async () => {
    const t = resolver('ws://a:1, ws://b:2, ws://c:3');
    expect(t.gateways()).toEqual(['ws://a:1', 'ws://b:2', 'ws://c:3']);
    expect((await t.resolve())?.url).toBe('ws://a:1');
    expect(t.failover()).toBe(true);
    expect((await t.resolve())?.url).toBe('ws://b:2');
    expect(t.failover()).toBe(true);
    expect((await t.resolve())?.url).toBe('ws://c:3');
    // all three failed in a row: back off before going round again
    expect(t.failover()).toBe(false);
    expect((await t.resolve())?.url).toBe('ws://a:1');
    t.connected();
    expect(t.failover()).toBe(true);
    expect((await t.resolve())?.url).toBe('ws://b:2');
  });

  it('a single gateway never fails over; the command line list wins over Settings', async () => {
    const one = resolver('ws://only:1');
    expect(one.failover()).toBe(false);
    expect((await one.resolve())?.url).toBe('ws://only:1');
    const cli = resolver('ws://settings:1', 'ws://x:1,ws://y:2');
    expect(await cli.resolve()).toMatchObject({ kind: 'cli', url: 'ws://x:1' });
    cli.failover();
    expect(await cli.resolve()).toMatchObject({ kind: 'cli', url: 'ws://y:2' });
  });
});
