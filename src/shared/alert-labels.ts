/** Which of an alert's labels tell it apart, in the order people look for them (table, incident, postmortem). */

/** labels worth showing first, in this order; the rest follow alphabetically */
const KEY_LABELS = ['service', 'instance', 'namespace', 'job', 'env', 'cluster', 'plugin', 'shop_id', 'team'];
const NOT_KEY = new Set(['alertname', 'severity', '__name__']);

const rank = (n: string) => {
  const i = KEY_LABELS.indexOf(n);
  return i < 0 ? KEY_LABELS.length : i;
};

export function keyLabels(labels: Readonly<Record<string, string>>, max = 3): [string, string][] {
  const names = Object.keys(labels).filter((n) => !NOT_KEY.has(n));
  names.sort((x, y) => rank(x) - rank(y) || x.localeCompare(y));
  return names.slice(0, max).map((n) => [n, labels[n]]);
}
