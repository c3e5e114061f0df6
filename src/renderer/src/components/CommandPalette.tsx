/**
 * Ctrl/Cmd+K: every view and every alert action by name. Mounted once in App; starts the alert store so
 * the actions (and the unacked count in the window title) work from any view.
 */
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { vigil } from '../api';
import { Dialog } from '@renderer/ui';
import { alerts, startAlerts, useAlerts } from '../features/alerts/store';
import { useApp, VIEWS } from '../stores/app';
import '../features/alerts/alerts.css';

interface Command {
  id: string;
  label: string;
  keys?: string;
  run(): void;
}

function useCommands(): Command[] {
  const { t } = useTranslation('alerts');
  const { t: tc } = useTranslation();
  const go = useApp((s) => s.go);
  const saved = useAlerts((s) => s.saved);
  const muted = useAlerts((s) => !!s.notify?.mutedUntil);
  return useMemo(() => {
    const toAlerts = (fn: () => void) => () => {
      go('alerts');
      fn();
    };
    const cmds: Command[] = VIEWS.map((v, i) => ({ id: `go:${v}`, label: t('palette.goTo', { view: tc(`nav.${v}`) }), keys: `Alt+${i + 1}`, run: () => go(v) }));
    cmds.push(
      { id: 'ack', label: t('palette.ack'), keys: 'a', run: () => void alerts.act('ack', alerts.targets()) },
      { id: 'unack', label: t('palette.unack'), run: () => void alerts.act('unack', alerts.targets()) },
      { id: 'escalate', label: t('palette.escalate'), keys: 'e', run: () => void alerts.act('escalate', alerts.targets()) },
      { id: 'resolve', label: t('palette.resolve'), run: () => void alerts.act('resolve', alerts.targets()) },
      { id: 'silence', label: t('palette.silence'), keys: 's', run: toAlerts(() => alerts.dialog({ kind: 'silence', fingerprints: alerts.targets() })) },
      { id: 'filter', label: t('palette.filter'), keys: '/', run: toAlerts(alerts.focusFilter) },
      { id: 'clear', label: t('palette.clearFilter'), run: toAlerts(alerts.clearQuery) },
      ...saved.map((f) => ({ id: `saved:${f.id}`, label: t('palette.applyFilter', { name: f.name }), run: toAlerts(() => alerts.applySaved(f)) })),
      { id: 'help', label: t('palette.help'), keys: '?', run: toAlerts(() => alerts.dialog({ kind: 'help' })) },
      ...(muted
        ? [{ id: 'unmute', label: t('palette.unmute'), run: () => void vigil().notifyMute(0) }]
        : [
            { id: 'mute15', label: t('palette.mute15'), run: () => void vigil().notifyMute(15) },
            { id: 'mute60', label: t('palette.mute60'), run: () => void vigil().notifyMute(60) },
          ]),
      { id: 'test', label: t('palette.testNotify'), run: () => void vigil().notifyTest() },
    );
    return cmds;
  }, [t, tc, go, saved, muted]);
}

export function CommandPalette() {
  const { t } = useTranslation('alerts');
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState('');
  const [active, setActive] = useState(0);
  const commands = useCommands();
  const shown = useMemo(() => {
    const words = q.toLowerCase().split(/\s+/).filter(Boolean);
    return commands.filter((c) => words.every((w) => c.label.toLowerCase().includes(w) || c.id.includes(w)));
  }, [commands, q]);

  useEffect(startAlerts, []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        setOpen((o) => !o);
        setQ('');
        setActive(0);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (!open) return null;
  const close = () => setOpen(false);
  const run = (c: Command | undefined) => {
    if (!c) return;
    close();
    c.run();
  };
  return (
    <Dialog title={t('palette.title')} onClose={close} className="palette">
      <input
        autoFocus
        role="combobox"
        aria-label={t('palette.input')}
        aria-expanded="true"
        aria-controls="palette-list"
        aria-activedescendant={shown[active] ? `palette-${shown[active].id}` : undefined}
        aria-autocomplete="list"
        value={q}
        onChange={(e) => {
          setQ(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          const step = e.key === 'ArrowDown' ? 1 : e.key === 'ArrowUp' ? -1 : 0;
          if (step) setActive((i) => Math.max(0, Math.min(shown.length - 1, i + step)));
          else if (e.key === 'Enter') run(shown[active]);
          else if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') close();
          else return;
          e.preventDefault();
        }}
      />
      <ul id="palette-list" role="listbox" aria-label={t('palette.title')}>
        {shown.map((c, i) => (
          <li key={c.id} id={`palette-${c.id}`} role="option" aria-selected={i === active} onMouseEnter={() => setActive(i)} onClick={() => run(c)}>
            {c.label} {c.keys && <kbd>{c.keys}</kbd>}
          </li>
        ))}
        {!shown.length && <li className="muted">{t('palette.noMatch')}</li>}
      </ul>
    </Dialog>
  );
}
