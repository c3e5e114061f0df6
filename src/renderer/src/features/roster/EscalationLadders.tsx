import { useTranslation } from 'react-i18next';
import type { Policy } from '@shared/roster';
import { ContactLinks } from './ContactLinks';
import type { ParsedRoster, RotationNow } from './store';

/** Each policy as its ladder: the levels, their time limits and who each reaches right now. */
export function EscalationLadders({ roster, onCall }: { roster: ParsedRoster; onCall: RotationNow[] }) {
  const { t } = useTranslation('roster');
  const doc = roster.doc!;
  const slackTeam = doc.workspace.slackTeam;

  const scope = (p: Policy) =>
    [
      t('ladder.match', { severity: p.match.severity }),
      p.match.teams.length ? t('ladder.teams', { list: p.match.teams.join(', ') }) : t('ladder.anyTeam'),
      p.match.services.length ? t('ladder.services', { list: p.match.services.join(', ') }) : null,
      p.remindMinutes > 0 ? t('ladder.remind', { n: p.remindMinutes }) : t('ladder.noRemind'),
    ]
      .filter(Boolean)
      .join(' · ');

  return (
    <section aria-labelledby="roster-ladders" className="card roster-section">
      <h2 id="roster-ladders" className="card-title">{t('ladder.heading')}</h2>
      {doc.policies.length === 0 && <p className="empty">{t('ladder.none')}</p>}
      <div className="roster-ladders">
        {doc.policies.map((p) => {
          let total = 0;
          return (
            <article key={p.id} className="roster-ladder" aria-labelledby={`ladder-${p.id}`}>
              <h3 id={`ladder-${p.id}`}>{p.name}</h3>
              <p className="muted">{scope(p)}</p>
              <ol aria-label={p.name}>
                {p.levels.map((l, i) => {
                  total += l.afterMinutes;
                  return (
                    <li key={i}>
                      <div>
                        <strong>{t('ladder.level', { level: i + 1 })}</strong>
                        {l.name && ` ${l.name}`} ·{' '}
                        {i === 0 && l.afterMinutes === 0 ? t('ladder.immediately') : t('ladder.after', { n: l.afterMinutes })}
                        {i > 0 && <span className="muted"> ({t('ladder.total', { n: total })})</span>}
                      </div>
                      <ul>
                        {l.targets.map((target, k) => {
                          if ('person' in target) {
                            const person = roster.people.get(target.person);
                            return (
                              <li key={k}>
                                {person ? person.name : t('ladder.unknown', { id: target.person })}
                                {person && <ContactLinks person={person} slackTeam={slackTeam} compact />}
                              </li>
                            );
                          }
                          const rot = onCall.find((r) => r.rotation.id === target.rotation);
                          const person = rot?.now.personId ? roster.people.get(rot.now.personId) : undefined;
                          const label = rot?.rotation.name ?? target.rotation;
                          return (
                            <li key={k}>
                              {person ? t('ladder.rotationNow', { rotation: label, name: person.name }) : t('ladder.rotationNobody', { rotation: label })}
                              {person && <ContactLinks person={person} slackTeam={slackTeam} compact />}
                            </li>
                          );
                        })}
                      </ul>
                    </li>
                  );
                })}
              </ol>
            </article>
          );
        })}
      </div>
    </section>
  );
}
