/**
 * The words of native alert notifications. They are written by the core (the renderer may not be open)
 * in the core's language at the moment they are raised (src/main/core/language.ts).
 */
import { defineTexts } from '@shared/texts';

export const notifyText = defineTexts('notify', {
  en: {
    more: '+{{n}} more',
    firing: '{{n}} firing',
    moreFiring: '{{n}} more firing',
    stillUnacked: '[{{severity}}] Still unacked: {{label}}',
    unackedFor: { one: 'Firing for {{minutes}} min without an ack', other: '{{count}} alerts firing for {{minutes}} min without an ack' },
    resolved: 'Resolved: {{label}}',
    resolvedCount: { one: '1 alert resolved', other: '{{count}} alerts resolved' },
    storm: '[{{severity}}] Alert storm: {{alerts}} alerts in {{groups}} groups',
    testTitle: 'Vigil test notification',
    testBody: 'If you can read this, alert notifications reach you.',
  },
  'zh-CN': {
    more: '另有 {{n}} 条',
    firing: '{{n}} 条告警中',
    moreFiring: '新增 {{n}} 条告警',
    stillUnacked: '[{{severity}}] 仍未确认: {{label}}',
    unackedFor: { one: '已持续 {{minutes}} 分钟未确认', other: '{{count}} 条告警已持续 {{minutes}} 分钟未确认' },
    resolved: '已恢复: {{label}}',
    resolvedCount: { one: '{{count}} 条告警已恢复', other: '{{count}} 条告警已恢复' },
    storm: '[{{severity}}] 告警风暴：{{groups}} 组共 {{alerts}} 条告警',
    testTitle: 'Vigil 测试通知',
    testBody: '能看到这条消息，说明告警通知可以送达。',
  },
});
