// @vitest-environment jsdom
/**
 * Issue #18: time and date fields follow the page's language, not the browser's (a native <input
 * type=time> showed AM/PM inside a zh-CN page under an en browser). The format rules, and the field as a
 * person uses it: named by its label, typed into, moved with the arrow keys, refused with an error in the
 * page's language.
 */
import { act, createElement, useState } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initI18n, setLanguage } from '@renderer/i18n';
import { DateField, TimeField } from '@renderer/ui';
import { dateFormatOf, formatDateText, formatTimeText, parseDateText, parseTimeText, stepDate, stepTime, timeFormatOf } from '@renderer/ui/time-format';

describe('time and date formats', () => {
  it('zh-CN is 24-hour whatever the browser; en follows the English locale’s clock', () => {
    expect(timeFormatOf('zh-CN', 'en-US')).toEqual({ hour12: false, example: '22:00' });
    expect(timeFormatOf('en', 'en-US')).toEqual({ hour12: true, example: '10:00 PM' });
    expect(timeFormatOf('en', 'en-GB').hour12).toBe(false);
    expect(timeFormatOf('en', 'zh-CN').hour12).toBe(true); // a non-English browser locale: en-US's clock
    expect(formatTimeText('22:05', timeFormatOf('zh-CN', 'en-US'))).toBe('22:05');
    expect(formatTimeText('22:05', timeFormatOf('en', 'en-US'))).toBe('10:05 PM');
    expect(formatTimeText('00:30', timeFormatOf('en', 'en-US'))).toBe('12:30 AM');
    expect(formatTimeText('12:00', timeFormatOf('en', 'en-US'))).toBe('12:00 PM');
  });

  it('reads what people type in either language, and refuses what is not a time', () => {
    const cases: [string, string | null][] = [
      ['22:00', '22:00'], ['7:05', '07:05'], ['2230', '22:30'], ['7', '07:00'], ['10 pm', '22:00'], ['10:30PM', '22:30'],
      ['12 am', '00:00'], ['12:15 p.m.', '12:15'], ['下午3:00', '15:00'], ['晚上 10 点', null], ['24:00', null], ['7:60', null],
      ['13 pm', null], ['', null], ['abc', null], ['22：00', '22:00'],
    ];
    for (const [text, want] of cases) expect(parseTimeText(text), text).toBe(want);
    expect(stepTime('23:50', 15)).toBe('00:05');
    expect(stepTime('00:05', -15)).toBe('23:50');
  });

  it('dates: YYYY-MM-DD in zh-CN, the locale’s order in en; ISO always accepted; impossible dates refused', () => {
    const zh = dateFormatOf('zh-CN', 'en-US');
    const us = dateFormatOf('en', 'en-US');
    const gb = dateFormatOf('en', 'en-GB');
    expect(zh.example).toBe('2026-12-31');
    expect(us.example).toBe('12/31/2026');
    expect(gb.example).toBe('31/12/2026');
    expect(formatDateText('2026-03-04', us)).toBe('03/04/2026');
    expect(parseDateText('3/4/2026', us)).toBe('2026-03-04');
    expect(parseDateText('3/4/2026', gb)).toBe('2026-04-03');
    expect(parseDateText('2026-02-29', us)).toBeNull();
    expect(parseDateText('2026年3月4日', zh)).toBe('2026-03-04');
    expect(parseDateText('31/12/26', gb)).toBe('2026-12-31');
    expect(parseDateText('hello', zh)).toBeNull();
    expect(stepDate('2026-12-31', 1, '2000-01-01')).toBe('2027-01-01');
    expect(stepDate('', 1, '2026-05-01')).toBe('2026-05-02');
  });
});

describe('TimeField and DateField', () => {
  let host: HTMLDivElement;
  let root: Root;
  const seen: { time: string[]; date: string[] } = { time: [], date: [] };

  function Form() {
    const [time, setTime] = useState('22:00');
    const [date, setDate] = useState('2026-12-31');
    return createElement(
      'form',
      null,
      createElement(TimeField, { label: 'Quiet from', value: time, onChange: (v: string) => (seen.time.push(v), setTime(v)) }),
      createElement(DateField, { label: 'Due date', value: date, onChange: (v: string) => (seen.date.push(v), setDate(v)) }),
    );
  }
  const byLabel = (text: string) => {
    const label = [...host.querySelectorAll('label')].find((l) => l.textContent === text)!;
    return host.querySelector<HTMLInputElement>(`[id="${label.htmlFor}"]`)!;
  };
  const type = async (input: HTMLInputElement, text: string) => {
    await act(async () => {
      const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
      set.call(input, text);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await act(async () => void input.dispatchEvent(new FocusEvent('focusout', { bubbles: true })));
  };
  const key = async (input: HTMLInputElement, k: string, shiftKey = false) =>
    act(async () => void input.dispatchEvent(new KeyboardEvent('keydown', { key: k, shiftKey, bubbles: true })));
  const describedBy = (input: HTMLInputElement) =>
    (input.getAttribute('aria-describedby') ?? '').split(' ').map((id) => host.querySelector(`[id="${id}"]`)?.textContent ?? '').join(' | ');

  beforeAll(async () => {
    (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
    Object.defineProperty(navigator, 'language', { value: 'en-US', configurable: true });
    initI18n('zh-CN');
    host = document.createElement('div');
    document.body.append(host);
    root = createRoot(host);
    await act(async () => root.render(createElement(Form)));
  });
  afterAll(() => {
    act(() => root.unmount());
    host.remove();
  });

  it('zh-CN under an en-US browser: 24-hour, named by its label, with the format as its hint', async () => {
    await act(async () => void setLanguage('zh-CN'));
    const time = byLabel('Quiet from');
    expect(time.type).toBe('text');
    expect(time.value).toBe('22:00');
    expect(describedBy(time)).toMatch(/24 小时制/);
    expect(byLabel('Due date').value).toBe('2026-12-31');
  });

  it('typing and the arrow keys set the value; a wrong time gets an error in the page’s language', async () => {
    const time = byLabel('Quiet from');
    await type(time, '23:30');
    expect(seen.time.at(-1)).toBe('23:30');
    await key(time, 'ArrowUp');
    expect(seen.time.at(-1)).toBe('23:45');
    expect(time.value).toBe('23:45');
    await key(time, 'ArrowDown', true);
    expect(time.value).toBe('22:45');
    await type(time, '25:99');
    expect(time.getAttribute('aria-invalid')).toBe('true');
    expect(host.querySelector('[role="alert"]')?.textContent).toBe('时间格式不对：请按 22:00 的格式填写。');
    expect(seen.time.at(-1)).toBe('22:45');
    await type(time, '7');
    expect(time.value).toBe('07:00');
    expect(time.getAttribute('aria-invalid')).toBeNull();
  });

  it('en under en-US: the same value reads 12-hour, the date month first; errors in English', async () => {
    await act(async () => void setLanguage('en'));
    const time = byLabel('Quiet from');
    expect(time.value).toBe('7:00 AM');
    expect(byLabel('Due date').value).toBe('12/31/2026');
    await type(time, '10:15 pm');
    expect(seen.time.at(-1)).toBe('22:15');
    expect(time.value).toBe('10:15 PM');
    const date = byLabel('Due date');
    await type(date, '31/12/2026');
    expect(host.querySelector('[role="alert"]')?.textContent).toBe('Not a date: type it like 12/31/2026.');
    await key(date, 'ArrowUp');
    expect(seen.date.at(-1)).toBe('2027-01-01');
    expect(date.value).toBe('01/01/2027');
  });
});
