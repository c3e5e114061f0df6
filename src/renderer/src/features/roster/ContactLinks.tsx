import { useTranslation } from 'react-i18next';
import { contactLinks, type ContactLink, type RosterPerson } from '@shared/roster';
import { vigil } from '@renderer/api';
import { useApp } from '@renderer/stores/app';

/**
 * Opens a contact link through the vetted opener. Where the core has no OS opener (the browser host)
 * it answers `opened: false` and the page opens the already-vetted URL itself.
 */
async function open(link: ContactLink, fail: (reason: string) => void) {
  if (!link.url) return;
  try {
    const { opened } = await vigil().openExternal(link.url, { im: link.im });
    if (!opened) window.open(link.url, '_blank', 'noopener,noreferrer');
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
}

export function useCopy() {
  const { t } = useTranslation('roster');
  const toast = useApp((s) => s.toast);
  return async (value: string) => {
    try {
      await navigator.clipboard.writeText(value);
      toast({ level: 'success', title: t('contact.copied', { value }) });
    } catch {
      toast({ level: 'warning', title: t('contact.copyFailed') });
    }
  };
}

/** One button per way to reach a person (tel:, mailto:, IM deep links) and "copy number". */
export function ContactLinks({ person, slackTeam, compact = false }: { person: RosterPerson; slackTeam: string | null; compact?: boolean }) {
  const { t } = useTranslation('roster');
  const toast = useApp((s) => s.toast);
  const copy = useCopy();
  const links = contactLinks(person, { slackTeam });
  const fail = (reason: string) => toast({ level: 'error', title: t('contact.openFailed'), body: reason });
  return (
    <span className="roster-contacts">
      {links.map((l) =>
        l.url ? (
          <a
            key={l.channel}
            href={l.url}
            className={`roster-contact roster-contact-${l.channel}`}
            aria-label={t(`contact.${l.channel}`, { name: person.name, handle: l.handle })}
            title={l.handle}
            onClick={(e) => {
              e.preventDefault();
              void open(l, fail);
            }}
          >
            {compact ? t(`contact.short_${l.channel}`) : `${t(`contact.short_${l.channel}`)} ${l.handle}`}
          </a>
        ) : (
          <button
            key={l.channel}
            type="button"
            className="roster-contact"
            aria-label={t('contact.copyHandle', { channel: t(`contact.short_${l.channel}`), name: person.name })}
            onClick={() => void copy(l.handle)}
          >
            {t(`contact.short_${l.channel}`)} {l.handle}
          </button>
        ),
      )}
      {person.phone && (
        <button type="button" className="roster-copy" aria-label={t('contact.copy', { name: person.name })} onClick={() => void copy(person.phone!)}>
          {t('contact.copyShort')}
        </button>
      )}
    </span>
  );
}
