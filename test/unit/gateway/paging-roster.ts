/**
 * The roster the gateway paging unit tests page from: three people (张三 signs in as zhangsan), one rotation,
 * DingTalk, Slack and two webhook channels (SMS and voice), and a three-level P1 policy with night rules.
 * `extra` adds or replaces document keys (e.g. incidentChannels).
 */
import { RosterDocumentSchema, type RosterDocumentInput } from '@shared/roster';
import type { PagingRoster } from '@gateway/paging/policy';

export function testRoster(extra: Partial<RosterDocumentInput> = {}): PagingRoster {
  const doc = RosterDocumentSchema.parse({
    people: [
      { id: 'zhangsan', name: '张三', phone: '+86 131 5550 0101', login: 'zhangsan', im: { wecom: 'zhangsan' } },
      { id: 'lisi', name: '李四', phone: '+86 131 5550 0102', channels: ['lisi-sms'] },
      { id: 'wangwu', name: '王五', phone: '+86 131 5550 0103' },
    ],
    teams: [{ id: 'sre', name: 'SRE', members: ['zhangsan', 'lisi'], channels: ['sre-slack'] }],
    rotations: [
      { id: 'sre-primary', team: 'sre', name: 'SRE primary', type: 'weekly', timeZone: 'Asia/Shanghai', start: '2026-01-05', handover: '09:00', participants: ['zhangsan'] },
    ],
    channels: [
      { id: 'sre-dingtalk', type: 'dingtalk', url: 'http://127.0.0.1:9/robot/send?access_token=t' },
      { id: 'sre-slack', type: 'slack', url: 'http://127.0.0.1:9/services/T/B/X', language: 'en' },
      { id: 'lisi-sms', type: 'webhook', url: 'http://127.0.0.1:9/sms', body: { to: '{{phone}}', text: '{{text}}' } },
      { id: 'voice', type: 'webhook', url: 'http://127.0.0.1:9/voice', body: { to: '{{phone}}' } },
    ],
    policies: [
      {
        id: 'sre-p1',
        name: 'SRE P1',
        match: { severity: 'P1', teams: ['platform-sre'] },
        night: { from: '22:00', to: '08:00', timeZone: 'Asia/Shanghai' },
        levels: [
          { name: 'on call', afterMinutes: 0, targets: [{ rotation: 'sre-primary' }], channels: ['sre-dingtalk'] },
          { name: 'second line', afterMinutes: 10, targets: [{ person: 'lisi' }], channels: ['sre-dingtalk'], nightChannels: ['sre-dingtalk', 'voice'] },
          { name: 'tech lead', afterMinutes: 5, targets: [{ person: 'wangwu' }], channels: ['voice'] },
        ],
      },
    ],
    ...extra,
  });
  return { id: 'sre-roster', name: 'SRE', doc };
}
