/** A label-matcher syntax error in the reader's language (the parser's own message is English). */
import type { TFunction } from 'i18next';
import type { MatcherSyntaxError } from '@shared/matchers';

export function matcherErrorText(t: TFunction<'alerts'>, err: MatcherSyntaxError): string {
  const p = err.problem;
  const column = err.position + 1;
  switch (p.code) {
    case 'expected':
      return t('matcher.expected', {
        column,
        expected: t(`matcher.what.${p.expected}`),
        found: p.found === null ? t('matcher.endOfInput') : JSON.stringify(p.found),
      });
    case 'single_quote':
      return t('matcher.singleQuote', { column, quote: p.quote });
    case 'unknown_escape':
      return t('matcher.unknownEscape', { column, escape: `\\${p.escape}` });
    case 'unclosed_string':
      return t('matcher.unclosedString', { column });
    case 'empty_name':
      return t('matcher.emptyName', { column });
    case 'bad_regex':
      return t('matcher.badRegex', { column, name: p.name, reason: p.reason });
  }
}
