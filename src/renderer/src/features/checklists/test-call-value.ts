/** The self-check test call's reading (issue #16 item 6) in the reader's language. */
/** the test call's reading (codes from test-call.ts) in the reader's language; the providers' answers as they came */
export function testCallValue(value: string, t: (k: string) => string): string {
  if (value === 'no_answer') return t('testCall.no_answer');
  return value
    .split('; ')
    .map((part) => {
      const none = /^none: (paging_off|no_roster|no_channels|not_in_roster)$/.exec(part);
      if (none) return t(`testCall.none.${none[1]}`);
      const con = /^console: (delivered|not_connected|no_login)$/.exec(part);
      if (con) return `${t('testCall.console')}${t('testCall.colon')}${t(`testCall.consoleStates.${con[1]}`)}`;
      const path = /^(.+?): (sent|dead|pending|retrying)( — .*)?$/s.exec(part);
      if (path) return `${path[1]}${t('testCall.colon')}${t(`testCall.states.${path[2]}`)}${path[3] ?? ''}`;
      return part;
    })
    .join(t('testCall.sep'));
}
