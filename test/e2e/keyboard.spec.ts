/**
 * Keyboard first: Alt+1…8 switch views, Ctrl+K opens the command palette (type, arrows, Enter), and a
 * saved filter is written once and applied again from the filter bar and from the palette — on the
 * browser host with its embedded demo gateway.
 */
import type { Page } from '@playwright/test';
import { choose, expect, test, toast } from './fixtures';

const VIEWS = ['Alerts', 'Runbooks', 'Dashboards', 'Checklists', 'Incidents', 'Roster', 'Handover', 'Settings'];
const navButton = (app: Page, name: string) => app.getByRole('navigation', { name: 'Main navigation' }).getByRole('button', { name: new RegExp(`^${name}`) });
/** the view shown: its nav button is the current page */
const shows = (app: Page, name: string) => expect(navButton(app, name)).toHaveAttribute('aria-current', 'page');

test('Alt+1…8 switch views, in order', async ({ app }) => {
  for (const [i, name] of [...VIEWS.entries()].reverse()) {
    await app.keyboard.press(`Alt+${i + 1}`);
    await shows(app, name);
  }
  await expect(app.getByRole('navigation', { name: 'Main navigation' }).locator('[aria-current="page"]')).toHaveCount(1);
});

test('Ctrl+K opens the command palette: type to narrow, arrows to choose, Enter to run, Escape to close', async ({ app }) => {
  await app.keyboard.press('Control+k');
  const palette = app.getByRole('dialog', { name: 'Command palette' });
  await expect(palette).toBeVisible();
  const input = palette.getByRole('combobox', { name: 'Type a command' });
  await expect(input).toBeFocused();
  await input.fill('go to');
  const options = palette.getByRole('option');
  await expect(options).toHaveCount(8);
  await expect(options.first()).toHaveAttribute('aria-selected', 'true');
  await app.keyboard.press('ArrowDown');
  await app.keyboard.press('ArrowDown');
  await expect(options.nth(2)).toHaveAttribute('aria-selected', 'true');
  await expect(options.nth(2)).toContainText('Go to Dashboards');
  await app.keyboard.press('Enter');
  await expect(palette).toBeHidden();
  await shows(app, 'Dashboards');

  // nothing matches: says so; Escape closes and leaves the view as it was
  await app.keyboard.press('Control+k');
  await palette.getByRole('combobox', { name: 'Type a command' }).fill('no such command at all');
  await expect(palette.getByText('No matching command')).toBeVisible();
  await app.keyboard.press('Escape');
  await expect(palette).toBeHidden();
  await shows(app, 'Dashboards');
});

test('a saved filter: saved once, applied again from the filter bar and from the palette', async ({ app }) => {
  const filter = app.getByRole('search', { name: 'Filter alerts' });
  const text = filter.getByRole('searchbox', { name: 'Search text' });
  await text.fill('Ozon');
  await filter.getByRole('button', { name: 'Save filter' }).click();
  await filter.getByRole('textbox', { name: 'Name for this filter' }).fill('Ozon only');
  await app.keyboard.press('Enter');
  await expect(toast(app, 'Filter "Ozon only" saved')).toBeVisible();

  await filter.getByRole('button', { name: 'Clear filter' }).click();
  await expect(text).toHaveValue('');
  await choose(filter.getByRole('combobox', { name: 'Saved filters' }), 'Ozon only');
  await expect(text).toHaveValue('Ozon');

  await filter.getByRole('button', { name: 'Clear filter' }).click();
  await expect(text).toHaveValue('');
  await app.keyboard.press('Alt+8');
  await app.keyboard.press('Control+k');
  const palette = app.getByRole('dialog', { name: 'Command palette' });
  await palette.getByRole('combobox', { name: 'Type a command' }).fill('ozon only');
  await expect(palette.getByRole('option')).toHaveText(['Apply saved filter "Ozon only"']);
  await app.keyboard.press('Enter');
  // the palette takes you to the alerts with the filter applied, and it survives a reload
  await shows(app, 'Alerts');
  await expect(text).toHaveValue('Ozon');
  await app.reload();
  await choose(app.getByRole('search', { name: 'Filter alerts' }).getByRole('combobox', { name: 'Saved filters' }), 'Ozon only');
  await expect(app.getByRole('search', { name: 'Filter alerts' }).getByRole('searchbox', { name: 'Search text' })).toHaveValue('Ozon');
});
