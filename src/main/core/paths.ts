/** Default data directory: the same folder Electron uses for userData, so both shells share one store. */
import os from 'node:os';
import path from 'node:path';

export function defaultDataDir(appName = 'Vigil'): string {
  if (process.env.VIGIL_DATA_DIR) return process.env.VIGIL_DATA_DIR;
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), appName);
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', appName);
  return path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), appName);
}
