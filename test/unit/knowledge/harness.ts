/**
 * The knowledge module on a real SQLite file in a temp dir, with a fake clock and a recording action sink
 * (the platform link is another module; here we only check what this module hands to it).
 */
import { FakeClock } from '@node/clock';
import type { KnowledgeDeps } from '@core/knowledge/module';
import { openKnowledgeTestbed, type KnowledgeTestbed } from '@test/integration/knowledge/seed';
import { tempDir } from '@test/helpers/tmp';

export type Harness = KnowledgeTestbed & { clock: FakeClock };

export function createHarness(opts: { deps?: KnowledgeDeps; failSubmit?: boolean } = {}): Harness {
  const tmp = tempDir('vigil-knowledge-');
  const bed = openKnowledgeTestbed({ dataDir: tmp.dir, clock: new FakeClock(), ...opts });
  return {
    ...bed,
    clock: bed.clock as FakeClock,
    close: () => {
      bed.close();
      tmp.cleanup();
    },
  };
}
