import { useTranslation } from 'react-i18next';
import type { ParsedRoster, RotationNow } from './store';
import { ContactLinks } from './ContactLinks';
import { fmtRelative, fmtTime, sameDay } from './time';

/** Who is on call now and next, grouped by team. */
export function OnCallPanel({ roster, rows, now, zone }: { roster: ParsedRoster; rows: RotationNow[]; now: number; zone: string }) {
  const { t, i18n } = useTranslation('roster');
  const lang = i18n.language;
  const teams = [...new Set(rows.map((r) => r.teamName))];
  const person = (id: string | null) => (id ? (roster.people.get(id) ?? null) : null);
  const when = (at: number) => fmtTime(at, zone, lang, !sameDay(at, now, zone));
  return (
    <section aria-labelledby="roster-oncall" className="card roster-section">
      <h2 id="roster-oncall" className="card-title">{t('onCall.heading')}</h2>
      <div className="roster-oncall">
        {teams.map((team) => (
          <article key={team} className="roster-team" aria-label={team}>
            <h3>{team}</h3>
            <ul>
              {rows
                .filter((r) => r.teamName === team)
                .sort((a, b) => a.rotation.line - b.rotation.line)
                .map(({ rotation, now: cur, next }) => {
                  const p = person(cur.personId);
                  const nextP = next ? person(next.personId) : null;
                  const scheduled = cur.override?.scheduled ? (person(cur.override.scheduled)?.name ?? cur.override.scheduled) : null;
                  return (
                    <li key={rotation.id} aria-label={`${rotation.name}: ${p?.name ?? t('onCall.nobody')}`}>
                      <div className="roster-rot">
                        <span className="roster-line">{t('onCall.line', { line: rotation.line })}</span> {rotation.name}
                      </div>
                      <div className="roster-now">
                        <strong>{p?.name ?? t('onCall.nobody')}</strong>
                        {p?.role && <span className="muted"> · {p.role}</span>}
                        {cur.override && scheduled && (
                          <span className="roster-override"> · {t(`onCall.${cur.override.type}`, { name: scheduled })}</span>
                        )}
                        {cur.override?.note && <span className="muted"> · {t('onCall.overrideNote', { note: cur.override.note })}</span>}
                      </div>
                      {p && <ContactLinks person={p} slackTeam={roster.doc?.workspace.slackTeam ?? null} compact />}
                      <div className="muted">
                        {next ? t('onCall.until', { time: when(next.start), rel: fmtRelative(next.start, now, lang) }) : t('onCall.noNext')}
                        {next &&
                          ' · ' +
                            (nextP ? t('onCall.next', { name: nextP.name, time: when(next.start) }) : t('onCall.nextNobody', { time: when(next.start) }))}
                      </div>
                    </li>
                  );
                })}
            </ul>
          </article>
        ))}
      </div>
    </section>
  );
}
