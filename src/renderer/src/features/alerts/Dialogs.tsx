import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Alert } from '@shared/alerts';
import { MAX_SILENCE_MIN, SILENCE_PRESETS_MIN } from '@shared/contract/alerts';
import { CLUSTER_LABEL, compileMatchers, formatMatchers, labelsOf, matchersForLabels, tryParseMatchers, type Matcher } from '@shared/matchers';
import { describeRuleProblem, silenceRuleText, silenceScopeProblem } from '@shared/silence-rule';
import { vigil } from '@renderer/api';
import { formatTime } from '@renderer/format';
import { useApp } from '@renderer/stores/app';
import { Dialog, DialogButtons, Field, InlineError, RadioGroup } from '@renderer/ui';
import { matcherErrorText } from './matcherText';
import { alerts, useAlerts } from './store';

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Matchers for "silence these alerts": the labels they all share, else their alertnames as a regex; and the
 * clusters they came from (`@cluster`), so the silence is created there and not in every cluster.
 */
export function prefillMatchers(list: readonly Alert[]): Matcher[] {
  if (!list.length) return [];
  const clusters = [...new Set(list.map((a) => a.cluster).filter((c): c is string => !!c))].sort();
  const where: Matcher[] = !clusters.length
    ? []
    : [{ name: CLUSTER_LABEL, value: clusters.length === 1 ? clusters[0] : clusters.map(escapeRegex).join('|'), isRegex: clusters.length > 1, isEqual: true }];
  if (list.length === 1) return [...where, ...matchersForLabels(list[0].labels)];
  const common = matchersForLabels(list[0].labels).filter((m) => list.every((a) => a.labels[m.name] === m.value));
  if (common.length) return [...where, ...common];
  const names = [...new Set(list.map((a) => a.alertname))].sort();
  return [...where, { name: 'alertname', value: names.map(escapeRegex).join('|'), isRegex: true, isEqual: true }];
}

export function SilenceDialog({ fingerprints }: { fingerprints: string[] }) {
  const { t, i18n } = useTranslation('alerts');
  const byFp = useAlerts((s) => s.byFp);
  const initial = useMemo(
    () => formatMatchers(prefillMatchers(fingerprints.map((fp) => byFp.get(fp)?.a).filter((a): a is Alert => !!a))),
    // prefilled once, from the alerts as they were when the dialog opened
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  );
  const [text, setText] = useState(initial);
  const [preset, setPreset] = useState<number | 'custom'>(60);
  const [custom, setCustom] = useState('90');
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [tried, setTried] = useState(false);
  const parsed = tryParseMatchers(text);
  const minutes = preset === 'custom' ? Number(custom) : preset;
  const minutesOk = Number.isInteger(minutes) && minutes >= 1 && minutes <= MAX_SILENCE_MIN;
  const covers = useMemo(() => {
    if (!parsed.ok || !parsed.matchers.length) return 0;
    let test: ReturnType<typeof compileMatchers>;
    try {
      test = compileMatchers(parsed.matchers);
    } catch {
      return 0; // a regex the rule below refuses (invalid, too long): it covers nothing
    }
    let n = 0;
    // the same count the gateway's Alertmanager will see: @cluster matches the alert's cluster
    for (const e of byFp.values()) if (e.a.state === 'firing' && test(e.a.cluster ? labelsOf(e.a) : e.a.labels)) n++;
    return n;
  }, [parsed, byFp]);
  // the shared rule the core and the gateway run: a silence must name what it silences, said as it is typed
  const scope = parsed.ok && parsed.matchers.length ? silenceScopeProblem(parsed.matchers) : null;
  const scopeText = scope ? describeRuleProblem(silenceRuleText.in(i18n.language === 'zh-CN' ? 'zh-CN' : 'en'), scope) : null;
  const problem = !parsed.ok
    ? matcherErrorText(t, parsed.error)
    : !parsed.matchers.length
      ? t('silence.noMatchers')
      : (scopeText ?? (!comment.trim() ? t('silence.commentRequired') : null));
  // said under the matchers as they are typed (a syntax error, or the rule); the other problems once submitted
  const fieldError = parsed.ok ? scopeText : matcherErrorText(t, parsed.error);
  const close = () => alerts.dialog(null);

  async function submit() {
    setTried(true);
    if (problem || !minutesOk || !parsed.ok) return;
    setBusy(true);
    try {
      await vigil().silenceCreate({ matchers: parsed.matchers, durationMinutes: minutes, comment: comment.trim() });
      useApp.getState().toast({ level: 'info', title: t('actions.queued', { action: t('actionName.silence.create'), count: covers }) });
      await alerts.refreshActions();
      close();
    } catch (err) {
      useApp.getState().toast({ level: 'error', title: t('actions.failedTitle', { action: t('actionName.silence.create') }), body: (err as Error).message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={t('silence.title')} onClose={close} className="silence-dialog">
      <form
        noValidate
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Field
          label={t('silence.matchers')}
          hint={parsed.ok ? `${t('silence.matchersHint')} ${t('silence.covers', { count: covers })}` : undefined}
          error={fieldError}
        >
          <textarea className="mono" rows={3} value={text} spellCheck={false} onChange={(e) => setText(e.target.value)} />
        </Field>
        <RadioGroup
          label={t('silence.duration')}
          value={String(preset)}
          onChange={(v) => setPreset(v === 'custom' ? 'custom' : Number(v))}
          options={[...SILENCE_PRESETS_MIN.map((m) => ({ value: String(m), label: t(`silence.preset${m}`) })), { value: 'custom', label: t('silence.custom') }]}
          hint={minutesOk ? t('silence.ends', { time: formatTime(Date.now() + minutes * 60_000, i18n.language) }) : undefined}
        >
          {preset === 'custom' && (
            <input
              type="number"
              className="minutes"
              min={1}
              max={MAX_SILENCE_MIN}
              aria-label={t('silence.customMinutes')}
              aria-invalid={!minutesOk}
              value={custom}
              onChange={(e) => setCustom(e.target.value)}
            />
          )}
        </RadioGroup>
        <Field label={t('silence.comment')}>
          <textarea rows={2} value={comment} required aria-required="true" maxLength={1000} onChange={(e) => setComment(e.target.value)} />
        </Field>
        {tried && problem !== fieldError && <InlineError error={problem} />}
        <DialogButtons>
          <button type="button" onClick={close}>
            {t('silence.cancel')}
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {t('silence.create')}
          </button>
        </DialogButtons>
      </form>
    </Dialog>
  );
}

export function NoteDialog({ fingerprints }: { fingerprints: string[] }) {
  const { t } = useTranslation('alerts');
  const [note, setNote] = useState('');
  const close = () => alerts.dialog(null);
  return (
    <Dialog title={t('actions.ackWithNote')} onClose={close}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void alerts.act('ack', fingerprints, { note: note.trim() || undefined }).then((ok) => ok && close());
        }}
      >
        <Field label={t('actions.note')}>
          <textarea autoFocus rows={3} maxLength={1000} value={note} onChange={(e) => setNote(e.target.value)} />
        </Field>
        <DialogButtons>
          <button type="button" onClick={close}>
            {t('silence.cancel')}
          </button>
          <button type="submit" className="primary">
            {t('actions.ack')}
          </button>
        </DialogButtons>
      </form>
    </Dialog>
  );
}

export const SHORTCUTS: [string, string][] = [
  ['j / ↓', 'help.j'],
  ['k / ↑', 'help.k'],
  ['Enter', 'help.enter'],
  ['Space', 'help.space'],
  ['a', 'help.a'],
  ['Shift+A', 'help.shiftA'],
  ['e', 'help.e'],
  ['s', 'help.s'],
  ['/', 'help.slash'],
  ['Esc', 'help.esc'],
  ['?', 'help.help'],
  ['Ctrl/⌘+K', 'help.palette'],
];

export function HelpOverlay() {
  const { t } = useTranslation('alerts');
  const close = () => alerts.dialog(null);
  return (
    <Dialog title={t('help.title')} onClose={close} className="help-overlay">
      <dl className="shortcuts">
        {SHORTCUTS.map(([keys, what]) => (
          <div key={keys}>
            <dt>
              <kbd>{keys}</kbd>
            </dt>
            <dd>{t(what)}</dd>
          </div>
        ))}
      </dl>
      <DialogButtons>
        <button type="button" onClick={close}>
          {t('help.close')}
        </button>
      </DialogButtons>
    </Dialog>
  );
}
