/** The matcher builder for tests: `matcher('service', 'ozon.*', '=~')` is what `parseMatchers` gives for `service=~"ozon.*"`. */
import type { Matcher } from '@shared/matchers';

export function matcher(name: string, value: string, op: '=' | '!=' | '=~' | '!~' = '='): Matcher {
  return { name, value, isEqual: op === '=' || op === '=~', isRegex: op === '=~' || op === '!~' };
}
