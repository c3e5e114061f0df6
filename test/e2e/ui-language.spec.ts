/**
 * Issue #18: every view, in zh-CN and in en, through the browser host with the embedded demo gateway.
 * - zh-CN: no English UI text. Latin words are allowed only where they are data (every word of the demo
 *   content the gateway serves: alert names and labels, runbooks, rosters, dashboards, templates) or a
 *   technical token (P0–P3, YAML, Alertmanager…).
 * - en: no Chinese UI text. Chinese is allowed only where it is data (each run of Chinese characters must
 *   occur in the demo content).
 * - screenshots of every view in both languages and both themes, under test-results/screenshots/.
 * - layout: each radio's box sits on its label's row, checkboxes beside their labels, and the change-freeze
 *   banner's button has a visible name with AA contrast.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, launchHost, openApp, test } from './fixtures';
import { startNotifySession } from '../services/notify-session';

const ROOT = path.resolve(__dirname, '../..');
const SHOTS = path.join(ROOT, 'test-results/screenshots');
const VIEWS = ['alerts', 'runbooks', 'dashboards', 'checklists', 'incidents', 'roster', 'handover', 'settings'] as const;
type Lang = 'en' | 'zh-CN';

/** every text of the demo content the embedded gateway serves, and the templates the core loads */
function files(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) files(p, out);
    else out.push(p);
  }
  return out;
}
const SOURCES = files(path.join(ROOT, 'resources')).map((f) => ({ f, text: fs.readFileSync(f, 'utf8') }));
/** all of it, for the en check: Chinese there must come from the data */
const CORPUS = SOURCES.map((x) => x.text).join('\n');
/**
 * The names and values of the data, for the zh-CN check (the allowlist the issue asks for): YAML/JSON keys
 * and short values (alert and label names, label values, people, teams, rotations, dashboards, panels),
 * runbook titles and front matter. Prose (summaries, runbook bodies) is not in it: where the UI shows
 * prose it marks it translate="no", and the check skips it.
 */
function names(): string {
  const out: string[] = [];
  for (const { f, text } of SOURCES) {
    if (f.endsWith('.md')) {
      const front = /^---\n([\s\S]*?)\n---/.exec(text)?.[1] ?? '';
      out.push(front, ...(text.match(/^#+ .*$/gm) ?? []));
      continue;
    }
    for (const m of text.matchAll(/["']?([\w.-]+)["']?\s*:\s*("[^"]*"|'[^']*'|[^,{}\n#]*)/g)) {
      out.push(m[1]);
      const v = m[2].trim().replace(/^["']|["']$/g, '');
      if (v.split(/\s+/).length <= 8) out.push(v);
    }
    for (const m of text.matchAll(/^\s*-\s+([^:{}\n]+)$/gm)) if (m[1].split(/\s+/).length <= 8) out.push(m[1]);
  }
  return out.join('\n');
}
/** words as the checks cut them: runs of letters, digits and the punctuation identifiers are made of */
const tokens = (s: string) => s.match(/[A-Za-z0-9_./@:+-]+/g) ?? [];
/** a token with a digit, an underscore, a slash, a dot or an @ is an identifier, a version or a path */
const identifier = (t: string) => /[0-9_/.@]/.test(t);
const DATA_WORDS = new Set(tokens(names()).flatMap((t) => [t.toLowerCase(), ...t.toLowerCase().split('-')]));
/** technical tokens that stay as they are in either language */
const TECHNICAL = new Set(
  `vigil p0 p1 p2 p3 ms s min h d k m ok id url urls yaml csv json markdown md iana local utc alertmanager prometheus grafana
  slack teams dingtalk wecom english zh cn zh-cn inc api ctrl alt shift esc enter space tab https http ws wss tls
  alertname on-call sre db whys d-bus notify-send linux macos windows`
    .split(/\s+/)
    .filter(Boolean),
);

/** the visible texts of the page: text nodes, and the names, placeholders and titles of visible elements */
async function visibleTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    // content that is data by nature: rendered markdown (runbooks, postmortems), code, label chips
    const DATA = '[translate="no"], .markdown, code, pre, kbd, .mono, .label-chip, .label-chips, script, style';
    const shown = (el: Element) => {
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none';
    };
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const text = n.textContent?.trim();
      if (!el || !text || el.closest(DATA) || !shown(el)) continue;
      out.push(text);
    }
    for (const el of document.querySelectorAll('[aria-label], [placeholder], [title]')) {
      if (el.closest(DATA) || !shown(el)) continue;
      for (const a of ['aria-label', 'placeholder', 'title']) {
        const v = el.getAttribute(a)?.trim();
        if (v) out.push(v);
      }
    }
    return out;
  });
}

function foreign(texts: string[], lang: Lang): string[] {
  const bad = new Set<string>();
  for (const text of texts) {
    if (lang === 'zh-CN') {
      // a URL or a label matcher is syntax, not language
      const plain = text.replace(/\b\w+:\/\/\S+/g, '').replace(/\{[^}]*\}/g, '');
      for (const raw of tokens(plain)) {
        const w = raw.replace(/^[-:+]+|[-:+]+$/g, '');
        if (!/[A-Za-z]{2}/.test(w) || identifier(w)) continue;
        const lw = w.toLowerCase();
        if (!DATA_WORDS.has(lw) && !TECHNICAL.has(lw)) bad.add(`${w}  ←  ${text.slice(0, 120)}`);
      }
    } else {
      for (const run of text.match(/[\u3400-\u9fff]+/g) ?? []) if (!CORPUS.includes(run) && run !== '简体中文') bad.add(`${run}  ←  ${text.slice(0, 120)}`);
    }
  }
  return [...bad];
}

async function shoot(page: Page, name: string, lang: Lang): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    await expect(page.locator(`html[data-theme="${theme}"]`)).toBeAttached();
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(SHOTS, `${name}.${lang}.${theme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

async function go(page: Page, view: (typeof VIEWS)[number]): Promise<void> {
  await page.keyboard.press(`Alt+${VIEWS.indexOf(view) + 1}`);
  await expect(page.locator('nav button[aria-current="page"]')).toHaveCount(1);
  await page.waitForTimeout(1200);
}

/** walks every view and the states behind its main buttons; returns what each state showed that is foreign */
async function tour(page: Page, lang: Lang): Promise<Record<string, string[]>> {
  const found: Record<string, string[]> = {};
  const check = async (name: string, shot = true) => {
    found[name] = foreign(await visibleTexts(page), lang);
    if (shot) await shoot(page, name, lang);
  };
  const grid = page.getByRole('grid');
  await expect(grid.getByRole('row').nth(1)).toBeVisible({ timeout: 30_000 });
  await page.waitForTimeout(1500);
  await check('alerts');
  await grid.locator('.alert-row').first().click();
  await expect(page.getByRole('complementary')).toBeVisible();
  await page.waitForTimeout(1000);
  await check('alerts-detail');
  await page.keyboard.press('Escape');
  await grid.focus();
  await page.keyboard.press('?');
  await expect(page.getByRole('dialog')).toBeVisible();
  await check('alerts-help', false);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+k');
  await expect(page.getByRole('dialog')).toBeVisible();
  await check('command-palette', false);
  await page.keyboard.press('Escape');

  await go(page, 'runbooks');
  await check('runbooks');
  await page.getByRole('list').filter({ has: page.locator('.runbook-hit') }).getByRole('button').first().click();
  await page.waitForTimeout(800);
  await check('runbook-page');

  await go(page, 'dashboards');
  await check('dashboards');

  await go(page, 'checklists');
  await check('checklists');
  await page.locator('.page-actions button.primary').click();
  await expect(page.locator('.run .result')).toBeVisible();
  await page.waitForTimeout(1500);
  await check('checklists-self-check');

  await go(page, 'incidents');
  await check('incidents');
  await page.locator('.page-actions button.primary').click();
  await expect(page.getByRole('radiogroup').first()).toBeVisible();
  await page.getByRole('radiogroup').first().getByRole('radio').nth(1).check();
  await page.getByRole('radiogroup').nth(1).getByRole('radio').first().check();
  await check('incidents-declare');
  await page.getByRole('form').getByRole('textbox').first().fill(lang === 'en' ? 'Orders arrive late' : '订单延迟到达');
  await page.getByRole('form').getByRole('checkbox').first().check();
  await page.getByRole('form').locator('button[type="submit"]').click();
  await expect(page.getByRole('timer').first()).toBeVisible();
  await page.waitForTimeout(800);
  await check('incident-detail');

  await go(page, 'roster');
  await check('roster');
  await page.locator('.page-actions button[aria-expanded]').click();
  await check('roster-import', false);

  await go(page, 'handover');
  await check('handover');
  await go(page, 'settings');
  await check('settings');
  return found;
}

for (const lang of ['zh-CN', 'en'] as const) {
  test(`every view in ${lang} shows no UI text of the other language (data aside); screenshots in both themes`, async ({ browser, dataDir }) => {
    test.setTimeout(240_000);
    // a desktop session as on an engineer's machine, so the self-check's notification step passes
    const session = await startNotifySession();
    const host = await launchHost({ dataDir, env: session.env });
    const ctx = await browser.newContext({ locale: lang === 'en' ? 'en-US' : 'zh-CN', viewport: { width: 1360, height: 860 } });
    const page = await ctx.newPage();
    try {
      await openApp(page, host.url);
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
      const found = await tour(page, lang);
      const leaks = Object.entries(found).filter(([, v]) => v.length);
      expect(leaks, `${lang === 'zh-CN' ? 'English' : 'Chinese'} UI text:\n${leaks.map(([k, v]) => `${k}:\n  ${v.join('\n  ')}`).join('\n')}`).toEqual([]);
    } finally {
      await host.proc.stop();
      await session.stop();
      await ctx.close();
    }
  });
}

/**
 * Issue #18: without a desktop session (no D-Bus session bus, no display: a headless jump host) the
 * notifier's reason reached zh-CN in English. The self-check's notification step and Settings' "Test
 * notification" must say why in Chinese, and the rest of those views stay Chinese too.
 */
test('zh-CN without a desktop session: the self-check and Test notification say why in Chinese', async ({ browser, dataDir }) => {
  test.setTimeout(120_000);
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['DBUS_SESSION_BUS_ADDRESS', 'DISPLAY', 'WAYLAND_DISPLAY']) delete env[k];
  const host = await launchHost({ dataDir, env: { ...env, DBUS_SESSION_BUS_ADDRESS: undefined, DISPLAY: undefined, WAYLAND_DISPLAY: undefined } });
  const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1360, height: 860 } });
  const page = await ctx.newPage();
  try {
    await openApp(page, host.url);
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await expect(page.getByRole('grid').getByRole('row').nth(1)).toBeVisible({ timeout: 30_000 });

    await go(page, 'checklists');
    await page.locator('.page-actions button.primary').click();
    await expect(page.locator('.run .result')).toBeVisible();
    const step = page.locator('li.step[data-state="failed"]').filter({ hasText: '桌面会话' });
    await expect(step).toBeVisible({ timeout: 15_000 });
    await expect(step).not.toContainText(/Native|notification|session/i);
    expect(foreign(await visibleTexts(page), 'zh-CN'), 'English in the self-check without a session').toEqual([]);
    await shoot(page, 'checklists-self-check-no-session', 'zh-CN');

    await go(page, 'settings');
    await page.getByRole('button', { name: '测试通知' }).click();
    const said = page.getByRole('status').filter({ hasText: '未能显示' });
    await expect(said).toContainText('桌面会话');
    await expect(said).not.toContainText(/Native|notification|session/i);
    expect(foreign(await visibleTexts(page), 'zh-CN'), 'English in Settings without a session').toEqual([]);
    await shoot(page, 'settings-no-session', 'zh-CN');
  } finally {
    await host.proc.stop();
    await ctx.close();
  }
});

/**
 * Issue #18: the quiet-hours times were native <input type=time>, which follow the browser (AM/PM in a
 * zh-CN page under an en browser). An en-US browser, the app set to zh-CN: 24-hour HH:mm, a Chinese hint
 * and error, usable from the keyboard.
 */
test('zh-CN page in an en-US browser: time fields are 24-hour with Chinese hint and error', async ({ browser, dataDir }) => {
  test.setTimeout(90_000);
  const host = await launchHost({ dataDir, args: ['--lang', 'zh-CN'] });
  const ctx = await browser.newContext({ locale: 'en-US', viewport: { width: 1360, height: 860 } });
  const page = await ctx.newPage();
  try {
    await openApp(page, host.url);
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await go(page, 'settings');
    const from = page.getByRole('textbox', { name: '开始', exact: true });
    await expect(from).toHaveValue('22:00');
    await expect(from).toHaveAccessibleDescription(/24 小时制/);
    await expect(page.locator('input[type="time"], input[type="date"], input[type="datetime-local"]')).toHaveCount(0);
    await from.focus();
    await page.keyboard.press('ArrowUp');
    await expect(from).toHaveValue('22:15');
    await from.fill('9 pm');
    await from.blur();
    await expect(from).toHaveValue('21:00');
    await from.fill('25:70');
    await from.blur();
    await expect(from).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByRole('alert').filter({ hasText: '时间格式不对' })).toBeVisible();
    expect(foreign(await visibleTexts(page), 'zh-CN')).toEqual([]);
    await from.fill('23:30');
    await from.blur();
    await expect(from).not.toHaveAttribute('aria-invalid', 'true');
    const to = page.getByRole('textbox', { name: '结束', exact: true });
    await expect(to).toHaveValue('07:00');
    await expect(to).not.toHaveValue(/AM|PM/);
  } finally {
    await host.proc.stop();
    await ctx.close();
  }
});

/**
 * Issue #18: at a 1360×800 window the alerts table's default columns overflowed (a horizontal scrollbar
 * with the detail pane closed). They must fit; opening the pane must not cut the alert names.
 */
test('layout: the alerts table’s default columns fit a 1360×800 window; the detail pane cuts no names', async ({ browser, dataDir }) => {
  test.setTimeout(90_000);
  const host = await launchHost({ dataDir });
  const page = await (await browser.newContext({ locale: 'en-US', viewport: { width: 1360, height: 800 } })).newPage();
  try {
    await openApp(page, host.url);
    const grid = page.getByRole('grid', { name: 'Alerts' });
    await expect(grid.locator('.alert-row').first()).toBeVisible({ timeout: 30_000 });
    await page.waitForTimeout(500);
    const fit = await grid.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(fit.scroll, `columns ${fit.scroll}px in a ${fit.client}px table`).toBeLessThanOrEqual(fit.client);
    const names = grid.locator('.alert-row .col-alertname');
    const cut = () =>
      names.evaluateAll((els) => els.filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => `${e.textContent} (${e.scrollWidth} > ${e.clientWidth})`));
    expect(await cut()).toEqual([]);
    await grid.locator('.alert-row').first().click();
    const pane = page.getByRole('complementary', { name: 'Alert details' });
    await expect(pane).toBeVisible();
    expect(await cut(), 'alert names cut with the detail pane open').toEqual([]);
    // every visible name cell is left of the pane, not under it
    const paneBox = (await pane.boundingBox())!;
    for (const box of await names.evaluateAll((els) => els.slice(0, 8).map((e) => e.getBoundingClientRect().toJSON() as DOMRect)))
      expect(box.x + box.width, 'a name under the detail pane').toBeLessThanOrEqual(paneBox.x + 1);
  } finally {
    await host.proc.stop();
  }
});

/** the centre line of an element's box */
const middle = (b: { y: number; height: number }) => b.y + b.height / 2;

test('layout: radios and checkboxes sit on their labels’ rows; the freeze banner’s button is named and readable', async ({ app }) => {
  // the declare form (issue #18: the boxes sat in the middle of the form, away from their labels)
  await app.getByRole('navigation', { name: 'Main navigation' }).getByRole('button', { name: 'Incidents' }).click();
  await app.getByRole('button', { name: 'Declare incident' }).click();
  const form = app.getByRole('form', { name: 'Declare an incident' });
  await form.getByRole('radiogroup', { name: 'Is the service completely unavailable?' }).getByRole('radio', { name: 'No' }).check();
  const radios = form.getByRole('radio');
  expect(await radios.count()).toBeGreaterThanOrEqual(4);
  for (const radio of await radios.all()) {
    const id = await radio.getAttribute('id');
    const box = (await radio.boundingBox())!;
    const label = (await form.locator(`label[for="${id}"]`).boundingBox())!;
    expect(Math.abs(middle(box) - middle(label)), `radio ${id} on its label's row`).toBeLessThan(label.height / 2);
    expect(label.x - (box.x + box.width), `radio ${id} right before its label`).toBeGreaterThanOrEqual(0);
    expect(label.x - (box.x + box.width), `radio ${id} right before its label`).toBeLessThan(16);
  }
  for (const cb of await form.getByRole('checkbox').all()) {
    const id = await cb.getAttribute('id');
    const box = (await cb.boundingBox())!;
    const label = (await form.locator(`label[for="${id}"]`).boundingBox())!;
    expect(Math.abs(middle(box) - middle(label)), `checkbox ${id} on its label's row`).toBeLessThan(label.height / 2);
    expect(label.x - (box.x + box.width)).toBeLessThan(16);
  }
  await form.getByRole('radiogroup', { name: 'Is a core function affected?' }).getByRole('radio', { name: 'Yes' }).check();
  await form.getByRole('textbox', { name: 'Title' }).fill('Freeze for the layout check');
  await form.getByRole('button', { name: 'Declare' }).click();

  // the change-freeze banner (issue #18: its button was an empty white box)
  await app.getByRole('checkbox', { name: 'Change freeze' }).click();
  const banner = app.getByRole('alert', { name: 'Change freeze' });
  await expect(banner).toBeVisible();
  const button = banner.getByRole('button', { name: /^Open INC-/ });
  await expect(button).toBeVisible();
  for (const theme of ['light', 'dark'] as const) {
    await app.emulateMedia({ colorScheme: theme });
    await expect(app.locator(`html[data-theme="${theme}"]`)).toBeAttached();
    const { text, ratio } = await button.evaluate((el) => {
      const rgb = (c: string) => (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
      const lum = ([r, g, b]: number[]) => {
        const f = (v: number) => ((v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
      };
      const cs = getComputedStyle(el);
      const [a, b] = [lum(rgb(cs.color)), lum(rgb(cs.backgroundColor))];
      return { text: (el as HTMLElement).innerText.trim(), ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) };
    });
    expect(text).toMatch(/^Open INC-/);
    expect(ratio, `banner button contrast in ${theme}`).toBeGreaterThanOrEqual(4.5);
  }
  await app.emulateMedia({ colorScheme: 'light' });

  // the silence dialog and the theme setting: radio boxes beside their labels too
  for (const [open, scope] of [
    [
      async () => {
        await app.getByRole('navigation', { name: 'Main navigation' }).getByRole('button', { name: 'Settings' }).click();
      },
      app.getByRole('radiogroup', { name: 'Theme' }),
    ],
  ] as const) {
    await open();
    for (const radio of await scope.getByRole('radio').all()) {
      const id = await radio.getAttribute('id');
      const box = (await radio.boundingBox())!;
      const label = (await app.locator(`label[for="${id}"]`).boundingBox())!;
      expect(Math.abs(middle(box) - middle(label))).toBeLessThan(label.height / 2);
    }
  }
});
