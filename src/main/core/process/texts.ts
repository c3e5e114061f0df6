/**
 * What the process services say themselves, in the core's language at the moment they say it:
 * notifications (incident targets, overdue checklist steps, the self-check's test notification) and the
 * refusals the console shows when an action cannot be done. Timeline lines are not here: they are stored
 * as a code and parameters and read in the reader's language (INCIDENT_TEXT in @shared/incidents).
 */
import type { Language } from '@shared/domain';
import { ApiError } from '@shared/rpc';
import { defineTexts, type Translator } from '@shared/texts';

export const processText = defineTexts('process', {
  en: {
    things: { incident: 'Incident', run: 'Checklist run', step: 'Step', template: 'Checklist template', handover: 'Handover' },
    notFound: '{{what}} "{{id}}" does not exist.',
    incidents: {
      respondLate: '{{severity}} incident past its response target: {{id}}',
      resolveLate: '{{severity}} incident past its resolution target: {{id}}',
      closedNoChange: 'Incident {{id}} is closed; it can no longer change.',
      unknownPerson: '“{{name}}” is not someone this console knows: choose a person from the platform or a roster.',
      closedTimeline: 'Incident {{id}} is closed; its timeline is final.',
      closedNoUpdate: 'Incident {{id}} is closed.',
      alreadyClosed: 'Incident {{id}} is already closed.',
      notClosed: 'Incident {{id}} is not closed; only a closed incident can be reopened.',
      future: 'A timeline entry cannot be dated in the future.',
    },
    checklists: {
      overdueTitle: 'Checklist step overdue: {{run}}',
      overdueLate: '{{step}} ({{minutes}} min late)',
      runFinished: 'This run is finished; its steps can no longer change.',
      checksKept: 'This run is finished; its checks are kept as they were.',
      alreadyFinished: 'This run is already finished.',
      skipNeedsReason: 'Skipping a step needs a reason in the note.',
      stepsOpen: {
        one: '1 step is still to do ({{steps}}): mark it done, failed, or skipped with a reason.',
        other: '{{count}} steps are still to do ({{steps}}): mark each done, failed, or skipped with a reason.',
      },
      testTitle: 'Vigil test notification',
      testBody: 'Shift self-check: if you can read this, notifications on this desk work.',
    },
    handover: {
      startBeforeNow: 'The shift must start before now.',
      tooLong: 'A shift longer than 7 days cannot be handed over as one.',
      alreadySigned: 'This handover was already signed by {{name}}.',
      ownShift: '{{name}} handed this shift over and cannot also sign for receiving it; the incoming engineer signs in their own Vigil.',
    },
  },
  'zh-CN': {
    things: { incident: '事故', run: '检查单', step: '检查项', template: '检查单模板', handover: '交接记录' },
    notFound: '{{what}}“{{id}}”不存在。',
    incidents: {
      respondLate: '{{severity}} 事故超过响应时限：{{id}}',
      resolveLate: '{{severity}} 事故超过解决时限：{{id}}',
      closedNoChange: '事故 {{id}} 已关闭，不能再修改。',
      unknownPerson: '“{{name}}”不是已知的人员：请从平台或排班表中的人员里选择。',
      closedTimeline: '事故 {{id}} 已关闭，时间线已定稿。',
      closedNoUpdate: '事故 {{id}} 已关闭。',
      alreadyClosed: '事故 {{id}} 已经关闭。',
      notClosed: '事故 {{id}} 尚未关闭，只有已关闭的事故才能重新打开。',
      future: '时间线条目的时间不能晚于现在。',
    },
    checklists: {
      overdueTitle: '检查项已超时：{{run}}',
      overdueLate: '{{step}}（已超时 {{minutes}} 分钟）',
      runFinished: '该检查单已结束，检查项不能再修改。',
      checksKept: '该检查单已结束，自动检查结果保持原样。',
      alreadyFinished: '该检查单已经结束。',
      skipNeedsReason: '跳过检查项需要在备注中写明原因。',
      stepsOpen: {
        one: '还有 {{count}} 个检查项未处理（{{steps}}）：请逐项标记为完成、失败，或注明原因后跳过。',
        other: '还有 {{count}} 个检查项未处理（{{steps}}）：请逐项标记为完成、失败，或注明原因后跳过。',
      },
      testTitle: 'Vigil 测试通知',
      testBody: '值班自检：如果你看到这条通知，说明本机通知正常。',
    },
    handover: {
      startBeforeNow: '班次开始时间必须早于现在。',
      tooLong: '超过 7 天的班次不能作为一次交接。',
      alreadySigned: '该交接已由 {{name}} 签收。',
      ownShift: '{{name}} 是交出本班次的人，不能同时签收；请接班工程师在自己的 Vigil 中签收。',
    },
  },
});

export type ProcessTexts = Translator<typeof processText.en>;
type Thing = keyof typeof processText.en.things;

/** Throws the API's not_found error, worded in `lng`. */
export function notFound(lng: Language, what: Thing, id: string): never {
  const t = processText.in(lng);
  throw new ApiError('not_found', t.notFound({ what: t.things[what](), id }));
}
