import { DateTime } from 'luxon';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { resolveOverrides, segments } from '@shared/rotation';
import type { OnCallSegment } from '@shared/roster';
import type { ParsedRoster } from './store';
import { fmtDay, fmtTime, zoneLabel } from './time';

const DAYS = 14;

/** Rotations × the next 14 days: who holds each day, with handover times where it changes. */
export function RotationCalendar({ roster, now, zone }: { roster: ParsedRoster; now: number; zone: string }) {
  const { t, i18n } = useTranslation('roster');
  const lang = i18n.language;
  const doc = roster.doc!;
  // Recomputed per day, not per tick: the calendar changes at midnight, not every 15 s.
  const today = DateTime.fromMillis(now, { zone }).startOf('day').toMillis();
  const days = useMemo(
    () => Array.from({ length: DAYS }, (_, i) => DateTime.fromMillis(today, { zone }).plus({ days: i })),
    [today, zone],
  );
  const grid = useMemo(() => {
    const end = days[DAYS - 1].plus({ days: 1 }).toMillis();
    return doc.rotations.map((rot) => {
      const segs = segments(rot, resolveOverrides(rot, doc.overrides), today, end);
      return {
        rot,
        cells: days.map((d) => {
          const s = d.toMillis();
          const e = d.plus({ days: 1 }).toMillis();
          return segs.filter((x) => x.end > s && x.start < e);
        }),
      };
    });
  }, [doc, days, today]);

  const name = (id: string | null) => (id ? (roster.people.get(id)?.name ?? id) : t('calendar.nobody'));
  const entry = (seg: OnCallSegment, dayStart: number, k: number) => (
    <li key={k} className={seg.personId ? (seg.override ? 'roster-cal-override' : undefined) : 'muted'}>
      {seg.start > dayStart && <span className="roster-cal-time">{t('calendar.from', { time: fmtTime(seg.start, zone, lang, false) })} </span>}
      {name(seg.personId)}
      {seg.override && <span className="roster-badge">{t(`calendar.${seg.override.type}`)}</span>}
    </li>
  );

  return (
    <section aria-labelledby="roster-calendar" className="card roster-section">
      <h2 id="roster-calendar" className="card-title">{t('calendar.heading')}</h2>
      <div className="roster-cal-wrap">
        <table className="roster-cal">
          <caption>{t('calendar.caption', { zone: zoneLabel(zone) })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('calendar.rotation')}</th>
              {days.map((d, i) => (
                <th scope="col" key={d.toISODate()} className={i === 0 ? 'roster-cal-today' : undefined}>
                  {fmtDay(d.toMillis(), zone, lang)}
                  {i === 0 && <span className="muted"> ({t('calendar.today')})</span>}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {grid.map(({ rot, cells }) => (
              <tr key={rot.id}>
                <th scope="row">{rot.name}</th>
                {cells.map((segs, i) => (
                  <td key={i} className={i === 0 ? 'roster-cal-today' : undefined}>
                    <ul>{segs.map((seg, k) => entry(seg, days[i].toMillis(), k))}</ul>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
