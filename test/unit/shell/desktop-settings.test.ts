// @vitest-environment jsdom
/**
 * The Settings control for start at login (src/renderer/src/features/settings/DesktopSettings.tsx), rendered
 * with React in jsdom: a checkbox with an accessible name in both languages, reporting changes, shown only
 * in the desktop app (the browser host cannot start anything at login).
 */
import { createElement } from 'react';
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppInfo } from '@shared/domain';
import { DesktopSettings } from '@renderer/features/settings/DesktopSettings';
import { initI18n, setLanguage } from '@renderer/i18n';
import { useApp } from '@renderer/stores/app';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
let root: Root;
let host: HTMLElement;
const info = (transport: AppInfo['transport']) => ({ transport }) as AppInfo;

beforeAll(() => initI18n('en'));
beforeEach(() => {
  host = document.createElement('div');
  document.body.append(host);
  root = createRoot(host);
});
afterEach(() => {
  act(() => root.unmount());
  host.remove();
  setLanguage('en');
});

function render(startAtLogin: boolean, onChange: (v: boolean) => void) {
  act(() => root.render(createElement(DesktopSettings, { startAtLogin, onChange })));
}
const checkbox = () => host.querySelector<HTMLInputElement>('input[type="checkbox"]');
// the label the checkbox is named by (wrapping it, or pointing at it with for=)
const nameOf = (input: HTMLInputElement) => input.labels![0].textContent!.trim();

describe('the start-at-login control', () => {
  it('is a named checkbox in the desktop app that reports changes', () => {
    useApp.setState({ info: info('electron') });
    const onChange = vi.fn();
    render(true, onChange);
    const box = checkbox()!;
    expect(box.checked).toBe(true);
    expect(nameOf(box)).toBe('Start Vigil when I log in');
    expect(document.getElementById(box.getAttribute('aria-describedby')!)?.textContent).toMatch(/starts in the tray/);
    act(() => box.click());
    expect(onChange).toHaveBeenCalledWith(false);
  });

  it('speaks zh-CN', () => {
    useApp.setState({ info: info('electron') });
    act(() => setLanguage('zh-CN'));
    render(false, () => {});
    expect(nameOf(checkbox()!)).toBe('登录系统时启动 Vigil');
    // no English leaks into zh-CN (the product name is the only Latin word)
    expect(host.textContent!.replace(/Vigil/g, '')).not.toMatch(/[A-Za-z]{2,}/);
  });

  it('is not offered by the browser host', () => {
    useApp.setState({ info: info('browser') });
    render(true, () => {});
    expect(host.innerHTML).toBe('');
  });
});
