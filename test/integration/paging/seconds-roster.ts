/**
 * The roster the paging integration tests page from: 张三, 李四 and 王五 on a policy of three levels
 * `stepMinutes` apart (fractions of a minute: seconds), each level one person on its own channel, matching
 * only this run's P1 alerts (`service: run`). Written as a file for the gateway's `--roster`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ChannelInput } from '@shared/paging';

export function secondsRosterFile(
  dir: string,
  o: {
    run: string;
    stepMinutes: number;
    channels: ChannelInput[];
    /** the channel of levels 1, 2 and 3 */
    levels: [string, string, string];
    /** 王五 signs in as `wangwu` (else they have no login) */
    wangwuLogin?: boolean;
  },
): string {
  const doc = {
    id: 'sre',
    name: 'SRE',
    people: [
      { id: 'zhangsan', name: '张三', phone: '+86 131 5550 0101', login: 'zhangsan' },
      { id: 'lisi', name: '李四', phone: '+86 131 5550 0102' },
      { id: 'wangwu', name: '王五', phone: '+86 131 5550 0103', ...(o.wangwuLogin ? { login: 'wangwu' } : {}) },
    ],
    channels: o.channels,
    policies: [
      {
        id: `p-${o.run}`,
        name: 'seconds policy',
        match: { severity: 'P1', services: [o.run] },
        levels: [
          { name: 'on call', afterMinutes: 0, targets: [{ person: 'zhangsan' }], channels: [o.levels[0]] },
          { name: 'second line', afterMinutes: o.stepMinutes, targets: [{ person: 'lisi' }], channels: [o.levels[1]] },
          { name: 'tech lead', afterMinutes: o.stepMinutes, targets: [{ person: 'wangwu' }], channels: [o.levels[2]] },
        ],
      },
    ],
  };
  const file = path.join(dir, 'roster.yaml');
  fs.writeFileSync(file, JSON.stringify(doc));
  return file;
}
