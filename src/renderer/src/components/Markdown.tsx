/**
 * Sanitised markdown (runbooks, postmortems). Code blocks get a copy button; every link goes through the vetted opener
 * (never a navigation of this window).
 */
import { useEffect, useMemo, useRef, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApp } from '../stores/app';
import { copyText } from './clipboard';
import { renderMarkdown } from './markdown';
import { openExternalLink } from './openLink';

export function Markdown({ markdown, className }: { markdown: string; className?: string }) {
  const { t, i18n } = useTranslation('common', { keyPrefix: 'markdown' });
  const html = useMemo(() => renderMarkdown(markdown), [markdown]);
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const root = ref.current;
    if (!root) return;
    const buttons: HTMLButtonElement[] = [];
    root.querySelectorAll('pre').forEach((pre, i) => {
      const code = pre.querySelector('code') ?? pre;
      const btn = document.createElement('button');
      btn.type = 'button';
      btn.className = 'copy-code';
      btn.textContent = t('copy');
      btn.setAttribute('aria-label', t('copyCode', { n: i + 1 }));
      btn.addEventListener('click', () => {
        copyText(code.textContent ?? '').then(
          () => {
            btn.textContent = t('copied');
            setTimeout(() => (btn.textContent = t('copy')), 1500);
          },
          (err: unknown) => useApp.getState().toast({ level: 'error', title: t('copyFailed'), body: String(err) }),
        );
      });
      pre.before(btn);
      buttons.push(btn);
    });
    return () => buttons.forEach((b) => b.remove());
  }, [html, t, i18n.language]);

  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    const a = (e.target as Element).closest('a');
    if (!a || !ref.current?.contains(a)) return;
    e.preventDefault();
    const href = a.getAttribute('href');
    if (!href || href.startsWith('#')) return;
    void openExternalLink(href);
  };

  return (
    <div
      ref={ref}
      className={`markdown ${className ?? ''}`}
      onClick={onClick}
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}
