/**
 * Closing the window does not stop Vigil: it hides to the tray, so notifications keep coming. The first
 * time, a notification says so (once per data folder, remembered in shell-state.json). Quitting (the tray's
 * Quit, the OS, an update's restart) sets `quitting` first, and then the window really closes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseJson } from '@shared/json';

interface ShellState {
  trayHintShown?: boolean;
}

export function shellStateFile(dataDir: string): string {
  return path.join(dataDir, 'shell-state.json');
}

function readState(file: string): ShellState {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  const v = parseJson(text).value;
  return v && typeof v === 'object' ? (v as ShellState) : {};
}

export interface HideableWindow {
  on(event: 'close', listener: (e: { preventDefault(): void }) => void): unknown;
  hide(): void;
}

export function keepRunningOnClose(
  win: HideableWindow,
  opts: { dataDir: string; quitting(): boolean; tell(): void },
): void {
  const file = shellStateFile(opts.dataDir);
  win.on('close', (e) => {
    if (opts.quitting()) return;
    e.preventDefault();
    win.hide();
    const state = readState(file);
    if (state.trayHintShown) return;
    opts.tell();
    try {
      fs.writeFileSync(file, JSON.stringify({ ...state, trayHintShown: true }));
    } catch {
      /* an unwritable data folder: the hint may show again next time, nothing worse */
    }
  });
}
