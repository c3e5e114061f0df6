/**
 * A view's frame: the page header (title, a meta line, actions on the right) over its content. Every view
 * is a <section> labelled by its <h1>, so tests and screen readers find it by name.
 */
import { useId, type FormEvent, type ReactNode } from 'react';

export function PageHeader({ id, title, meta, actions }: { id: string; title: ReactNode; meta?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div className="page-title">
        <h1 id={id}>{title}</h1>
        {meta && <div className="page-meta">{meta}</div>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

export function View({ title, meta, actions, className, children }: { title: ReactNode; meta?: ReactNode; actions?: ReactNode; className?: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className={`view ${className ?? ''}`} aria-labelledby={id}>
      <PageHeader id={id} title={title} meta={meta} actions={actions} />
      {children}
    </section>
  );
}

/**
 * A list beside the selected item's detail. The list keeps its width (it never squeezes below its
 * minimum) and the detail takes the rest; narrow windows stack them.
 */
export function ListDetail({ list, detail, listLabel, wide }: { list: ReactNode; detail: ReactNode; listLabel: string; wide?: boolean }) {
  return (
    <div className={`list-detail${wide ? ' list-detail-wide' : ''}`}>
      <nav className="list-pane" aria-label={listLabel}>
        {list}
      </nav>
      <div className="detail-pane">{detail}</div>
    </div>
  );
}

/** A titled panel; `level` picks the heading (2 inside a view, 3 inside a detail). */
export function Card({
  title,
  level = 2,
  actions,
  children,
  className,
  as = 'section',
}: {
  title?: ReactNode;
  level?: 2 | 3 | 4;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  as?: 'section' | 'article' | 'div';
}) {
  const id = useId();
  const H = `h${level}` as const;
  const Tag = as;
  return (
    <Tag className={`card ${className ?? ''}`} aria-labelledby={title ? id : undefined}>
      {(title || actions) && (
        <div className="card-header">
          {title && (
            <H id={id} className="card-title">
              {title}
            </H>
          )}
          {actions && <div className="card-actions">{actions}</div>}
        </div>
      )}
      {children}
    </Tag>
  );
}

/** A form in a card, named by its heading (tests and screen readers find it as a form by that name). */
export function FormCard({
  title,
  level = 2,
  onSubmit,
  children,
  className,
  noValidate,
}: {
  title: ReactNode;
  level?: 2 | 3;
  onSubmit: (e: FormEvent<HTMLFormElement>) => void;
  children: ReactNode;
  className?: string;
  noValidate?: boolean;
}) {
  const id = useId();
  const H = `h${level}` as const;
  return (
    <form className={`card form ${className ?? ''}`} aria-labelledby={id} onSubmit={onSubmit} noValidate={noValidate}>
      <H id={id} className="card-title">
        {title}
      </H>
      {children}
    </form>
  );
}

/** A row of buttons and small controls that wraps. */
export function Toolbar({ label, children, className }: { label?: string; children: ReactNode; className?: string }) {
  return (
    <div className={`toolbar ${className ?? ''}`} role={label ? 'toolbar' : undefined} aria-label={label}>
      {children}
    </div>
  );
}

/** Nothing to show yet, and what to do about it. */
export function EmptyState({ title, body, action }: { title: ReactNode; body?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty-state">
      <p className="empty-title">{title}</p>
      {body && <p className="empty-body">{body}</p>}
      {action && <div className="empty-action">{action}</div>}
    </div>
  );
}

/** A band across a view: offline, store trouble, change freeze. `tone` picks the colour. */
export function Banner({ tone, label, children, actions }: { tone: 'danger' | 'warn' | 'info' | 'freeze'; label?: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <div role="alert" aria-label={label} className={`banner banner-${tone}`}>
      <div className="banner-text">{children}</div>
      {actions && <div className="banner-actions">{actions}</div>}
    </div>
  );
}
