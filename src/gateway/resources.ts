/** Finds the bundled demo content (resources/demo) from a build in out/, a custom out dir, or a package. */
import fs from 'node:fs';
import path from 'node:path';

export function findDemoDir(explicit?: string): string {
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  const candidates = [
    explicit,
    process.env.VIGIL_DEMO_DIR,
    path.join(__dirname, '../../resources/demo'),
    path.join(process.cwd(), 'resources/demo'),
    resourcesPath && path.join(resourcesPath, 'demo'),
  ].filter((c): c is string => !!c);
  const found = candidates.find((c) => fs.existsSync(path.join(c, 'alerts')));
  if (!found)
    throw new Error(
      `The demo content was not found (looked in ${candidates.join(', ')}). Pass --demo-dir or set VIGIL_DEMO_DIR.`,
    );
  return path.resolve(found);
}
