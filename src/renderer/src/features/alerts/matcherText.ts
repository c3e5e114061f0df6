/** A label-matcher syntax error in the reader's language (the parser's own message is English). */
import type { TFunction } from 'i18next';
import type { MatcherSyntaxError, RegexIssue } from '@shared/matchers';

function regexText(t: TFunction<'alerts'>, i: RegexIssue): string {
  switch (i.code) {
    case 'lookahead':
      return t('matcher.regex.lookahead', { form: i.form });
    case 'lookbehind':
      return t('matcher.regex.lookbehind');
    case 'backref':
      return t('matcher.regex.backref', { ref: i.ref });
    case 'invalid':
      // RE2's own words name the construct; no table can translate them
      return t('matcher.regex.invalid', { detail: i.detail });
    case 'too_long':
      return t('matcher.regex.tooLong', { max: i.max, length: i.length });
  }
}

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
    case 'backslash':
      return t('matcher.backslash', { column });
    case 'unknown_escape':
      return t('matcher.unknownEscape', { column, escape: `\\${p.escape}` });
    case 'bad_code_point':
      return t('matcher.badCodePoint', { column, escape: `\\${p.escape}` });
    case 'raw_newline':
      return t('matcher.rawNewline', { column });
    case 'not_utf8':
      return t('matcher.notUtf8', { column });
    case 'unclosed_string':
      return t('matcher.unclosedString', { column });
    case 'empty_name':
      return t('matcher.emptyName', { column });
    case 'bad_regex':
      return t('matcher.badRegex', { column, name: p.name, reason: regexText(t, p.issue) });
  }
}
