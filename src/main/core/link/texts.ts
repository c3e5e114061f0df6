/**
 * What the link says itself about who is signed in, in the core's language: why an action is refused
 * (signed out, not signed in yet, a role that does not allow it) and the role names in those sentences.
 */
import { defineTexts } from '@shared/texts';

export const identityText = defineTexts('identity', {
  en: {
    role: { viewer: 'viewer', responder: 'responder', admin: 'admin' },
    signedOut: 'You are signed out of the platform: sign in again to act. Actions already queued stay queued for their own person.',
    signingIn: 'Vigil has not heard yet from the platform who this console is signed in as; try again once it is online.',
    forbidden: '{{name}} is a {{role}} on this platform: this needs the {{needed}} role.',
    nobody: 'Nobody is signed in to the platform at this console: sign in to act.',
  },
  'zh-CN': {
    role: { viewer: '只读观察者', responder: '值班响应者', admin: '管理员' },
    signedOut: '你已退出平台登录：请重新登录后再操作。已排队的操作会保留，只为其本人发送。',
    signingIn: 'Vigil 尚未从平台获知本控制台的登录人，请在连接上线后重试。',
    forbidden: '{{name}} 在此平台是{{role}}：此操作需要{{needed}}角色。',
    nobody: '本控制台当前无人登录平台：请先登录再操作。',
  },
});
