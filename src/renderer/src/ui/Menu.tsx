/**
 * Menus on Radix UI's DropdownMenu: a button opens a list of commands; arrows, type-ahead, Enter and Escape
 * work as in a desktop menu. Items may be plain commands or checkable (column visibility).
 * Popover (Radix Popover) is for small panels that hold controls, not commands.
 */
import { forwardRef, type ComponentPropsWithoutRef, type ReactNode } from 'react';
import * as DM from '@radix-ui/react-dropdown-menu';
import * as P from '@radix-ui/react-popover';

/** The button that opens a menu or a popover: its text (or label) and a drawn caret. */
const TriggerButton = forwardRef<HTMLButtonElement, ComponentPropsWithoutRef<'button'>>(function TriggerButton(
  { children, className, ...rest },
  ref,
) {
  return (
    <button ref={ref} type="button" className={`menu-trigger ${className ?? ''}`} {...rest}>
      {children}
      <span aria-hidden="true" className="menu-caret caret" />
    </button>
  );
});

/** where menus and popovers open, and how they keep keys from the view's shortcuts */
const FLOAT = {
  sideOffset: 4,
  collisionPadding: 8,
  onKeyDown: (e: { stopPropagation(): void }) => e.stopPropagation(),
};

export type MenuEntry =
  | { kind?: 'item'; label: string; onSelect: () => void; disabled?: boolean; danger?: boolean; keys?: string }
  | { kind: 'check'; label: string; checked: boolean; onChange: (checked: boolean) => void; disabled?: boolean }
  | { kind: 'separator' }
  | { kind: 'label'; label: string }
  | { kind: 'sub'; label: string; items: readonly MenuEntry[] };

export function Menu({
  label,
  trigger,
  items,
  align = 'start',
  className,
  tabIndex,
}: {
  /** the trigger's accessible name */
  label: string;
  /** what the trigger shows (defaults to the label) */
  trigger?: ReactNode;
  items: readonly MenuEntry[];
  align?: 'start' | 'end';
  className?: string;
  /** -1 for a trigger inside a composite widget that is one tab stop (the alert grid's headers) */
  tabIndex?: number;
}) {
  return (
    <DM.Root modal={false}>
      <DM.Trigger asChild>
        <TriggerButton tabIndex={tabIndex} className={className} aria-label={trigger ? label : undefined}>
          {trigger ?? label}
        </TriggerButton>
      </DM.Trigger>
      <DM.Portal>
        <DM.Content className="menu" align={align} {...FLOAT}>
          <MenuItems items={items} />
        </DM.Content>
      </DM.Portal>
    </DM.Root>
  );
}

function MenuItems({ items }: { items: readonly MenuEntry[] }) {
  return (
    <>
      {items.map((it, i) => {
        if (it.kind === 'sub')
          return (
            <DM.Sub key={i}>
              <DM.SubTrigger className="menu-item">
                <span className="menu-check" aria-hidden="true" />
                {it.label}
                <span className="menu-keys" aria-hidden="true">
                  ▸
                </span>
              </DM.SubTrigger>
              <DM.Portal>
                <DM.SubContent className="menu" {...FLOAT} sideOffset={2}>
                  <MenuItems items={it.items} />
                </DM.SubContent>
              </DM.Portal>
            </DM.Sub>
          );
        if (it.kind === 'separator') return <DM.Separator key={i} className="menu-separator" />;
        if (it.kind === 'label')
          return (
            <DM.Label key={i} className="menu-label">
              {it.label}
            </DM.Label>
          );
        if (it.kind === 'check')
          return (
            <DM.CheckboxItem
              key={i}
              className="menu-item"
              checked={it.checked}
              disabled={it.disabled}
              onCheckedChange={(c) => it.onChange(c === true)}
              onSelect={(e) => e.preventDefault()}
            >
              <span className="menu-check" aria-hidden="true">
                <DM.ItemIndicator>✓</DM.ItemIndicator>
              </span>
              {it.label}
            </DM.CheckboxItem>
          );
        return (
          <DM.Item
            key={i}
            className={`menu-item${it.danger ? ' menu-danger' : ''}`}
            disabled={it.disabled}
            onSelect={it.onSelect}
          >
            <span className="menu-check" aria-hidden="true" />
            {it.label}
            {it.keys && <kbd className="menu-keys">{it.keys}</kbd>}
          </DM.Item>
        );
      })}
    </>
  );
}

export function Popover({
  label,
  trigger,
  children,
  align = 'end',
}: {
  label: string;
  trigger: ReactNode;
  children: ReactNode;
  align?: 'start' | 'end';
}) {
  return (
    <P.Root>
      <P.Trigger asChild>
        <TriggerButton aria-label={label}>{trigger}</TriggerButton>
      </P.Trigger>
      <P.Portal>
        <P.Content className="popover" align={align} aria-label={label} {...FLOAT}>
          {children}
        </P.Content>
      </P.Portal>
    </P.Root>
  );
}
