/**
 * Channel secrets at the gateway: read from the environment or a file only, checked when the roster is
 * loaded (a gateway that cannot sign for a channel does not start), and never in what consoles receive.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelSchema, redactChannel } from '@shared/paging';
import { RosterDocumentSchema } from '@shared/roster';
import { channelProblems, channelSecret } from '@gateway/paging/secrets';
import { loadRoster, readRosterFile } from '@gateway/sources/content';
import { tempDir } from '@test/helpers/tmp';

let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.forEach((c) => c());
  cleanups = [];
});

const channel = (c: Record<string, unknown>) => ChannelSchema.parse({ id: 'ch', url: 'https://oapi.dingtalk.com/robot/send?access_token=TOK', ...c });

describe('channel secrets', () => {
  it('come from the environment or the first line of a file, and a missing one is named', () => {
    const { dir, cleanup } = tempDir('vigil-secret-');
    cleanups.push(cleanup);
    const file = path.join(dir, 's');
    fs.writeFileSync(file, 'SECfromfile\nignored\n');
    expect(channelSecret(channel({ type: 'dingtalk', secretEnv: 'DING' }), { DING: 'SECfromenv' })).toBe('SECfromenv');
    expect(channelSecret(channel({ type: 'dingtalk', secretFile: file }), {})).toBe('SECfromfile');
    expect(channelSecret(channel({ type: 'slack' }), {})).toBeNull();
    expect(channelProblems([channel({ type: 'dingtalk', secretEnv: 'DING' })], {})).toEqual([
      'channel ch: the environment variable DING (secretEnv) is not set',
    ]);
    expect(channelProblems([channel({ type: 'dingtalk', secretFile: path.join(dir, 'missing') })], {})[0]).toMatch(/secretFile .* cannot be read \(ENOENT\)/);
    expect(channelProblems([channel({ type: 'dingtalk', secretEnv: 'DING' })], { DING: 'not-sec' })).toEqual([
      'channel ch: a DingTalk signing secret starts with "SEC" (the robot\'s 加签 secret)',
    ]);
    expect(channelProblems([channel({ type: 'webhook', headers: { Authorization: 'Bearer {{secret}}' } })], {})).toEqual([
      'channel ch: a header uses {{secret}} but the channel has no secretEnv or secretFile',
    ]);
  });

  it('a roster whose channel cannot be signed for is refused; consoles get no URL, header, body or secret name', () => {
    const { dir, cleanup } = tempDir('vigil-secret-');
    cleanups.push(cleanup);
    const file = path.join(dir, 'roster.yaml');
    const doc = {
      id: 'r',
      channels: [
        { id: 'ding', type: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=TOKEN-IN-URL', secretEnv: 'VIGIL_T_DING' },
        { id: 'sms', type: 'webhook', url: 'https://sms.example.com/send?key=K', secretFile: '/etc/vigil/sms', headers: { 'X-Key': '{{secret}}' }, body: { to: '{{phone}}' } },
      ],
    };
    fs.writeFileSync(file, JSON.stringify(doc));
    expect(() => readRosterFile(file, {})).toThrow(/channel ding: the environment variable VIGIL_T_DING \(secretEnv\) is not set; channel sms: secretFile \/etc\/vigil\/sms cannot be read/);
    const synced = loadRoster(file);
    const text = JSON.stringify(synced);
    for (const secret of ['TOKEN-IN-URL', 'VIGIL_T_DING', '/etc/vigil/sms', 'X-Key', '{{phone}}', 'key=K']) expect(text).not.toContain(secret);
    const channels = RosterDocumentSchema.parse(synced.document).channels;
    expect(channels.map((c) => [c.id, c.type, c.url, c.host])).toEqual([
      ['ding', 'dingtalk', null, 'oapi.dingtalk.com'],
      ['sms', 'webhook', null, 'sms.example.com'],
    ]);
    expect(redactChannel(channels[0])).toEqual(channels[0]);
  });
});
