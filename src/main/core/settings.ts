/** Settings: one row per key, merged over defaults, validated on the way in and on the way out. */
import { DEFAULT_SETTINGS, SettingsSchema, type Settings, type SettingsPatch } from '@shared/domain';
import { parseJson } from '@shared/json';
import { ApiError, describeZodError } from '@shared/rpc';
import type { DB } from '@node/sqlite';

export function createSettingsRepo(db: DB) {
  const all = db.prepare('SELECT key, value FROM settings');
  const put = db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  );
  let cache: Settings | null = null;

  function read(): Settings {
    if (cache) return cache;
    const merged: Record<string, unknown> = { ...DEFAULT_SETTINGS };
    for (const row of all.all() as { key: string; value: string }[]) {
      if (!(row.key in DEFAULT_SETTINGS)) continue;
      const stored = parseJson(row.value);
      if (stored.ok) merged[row.key] = stored.value; // a damaged value falls back to its default
    }
    const parsed = SettingsSchema.safeParse(merged);
    // A stored value that no longer validates (older version, hand edit) is replaced by its default.
    cache = parsed.success
      ? parsed.data
      : (() => {
          const fixed: Record<string, unknown> = { ...merged };
          for (const issue of parsed.error.issues) {
            const key = String(issue.path[0]);
            fixed[key] = DEFAULT_SETTINGS[key as keyof Settings];
          }
          return SettingsSchema.parse(fixed);
        })();
    return cache;
  }

  function write(patch: SettingsPatch): { before: Settings; after: Settings } {
    const before = read();
    const candidate = SettingsSchema.safeParse({ ...before, ...patch });
    if (!candidate.success) throw new ApiError('bad_arguments', describeZodError(candidate.error));
    db.transaction(() => {
      for (const [k, v] of Object.entries(patch)) put.run(k, JSON.stringify(v));
    })();
    cache = candidate.data;
    return { before, after: candidate.data };
  }

  return { read, write };
}
export type SettingsRepo = ReturnType<typeof createSettingsRepo>;
