/**
 * The alert changes pushed by the core, on their way into the table's model. A storm pushes a batch every
 * 100 ms; each is coalesced here (the last change of a fingerprint wins), applied to the alerts by
 * fingerprint in one step, and handed to the grouped rows as the entries it replaced and the ones it
 * brought (Grouping.patch), so a batch costs its own few hundred alerts, not a pass over 100k.
 *
 * The sorted list of all alerts is read only when everything is filtered again (a keystroke, a new sort);
 * the applied changes wait for it here and are merged in then, once, however many batches came between.
 */
import type { Alert } from '@shared/alerts';
import { mergeSorted, toEntry, type Entry } from './model';

export class DeltaQueue {
  private upserted = new Map<string, Alert>();
  private removed = new Set<string>();
  /** fingerprints whose entry in the sorted list is stale, and their current entries */
  private drop = new Set<string>();
  private add = new Map<string, Entry>();

  /** Queues one pushed change; a later change of the same fingerprint replaces an earlier one. */
  queue(upserted: readonly Alert[], removed: readonly string[]): void {
    for (const a of upserted) {
      this.upserted.set(a.fingerprint, a);
      this.removed.delete(a.fingerprint);
    }
    for (const fp of removed) {
      this.upserted.delete(fp);
      this.removed.add(fp);
    }
  }

  get waiting(): boolean {
    return this.upserted.size > 0 || this.removed.size > 0;
  }

  /**
   * Applies what is queued to `byFp`, in place (copying a 100k-entry map every batch is the cost to avoid).
   * An upsert older than what `byFp` holds is skipped: a page read after it was pushed had newer data.
   * Returns the entries replaced or removed (`gone`) and the new ones (`fresh`).
   */
  apply(byFp: Map<string, Entry>): { gone: Entry[]; fresh: Entry[] } {
    const gone: Entry[] = [];
    const fresh: Entry[] = [];
    for (const fp of this.removed) {
      const cur = byFp.get(fp);
      if (cur) gone.push(cur);
      byFp.delete(fp);
      this.drop.add(fp);
      this.add.delete(fp);
    }
    for (const [fp, a] of this.upserted) {
      const cur = byFp.get(fp);
      if (cur && cur.a.updatedAt > a.updatedAt) continue;
      if (cur) gone.push(cur);
      const e = toEntry(a);
      byFp.set(fp, e);
      fresh.push(e);
      this.drop.add(fp);
      this.add.set(fp, e);
    }
    this.upserted.clear();
    this.removed.clear();
    return { gone, fresh };
  }

  /** `sorted` with every applied change merged in; `sorted` itself when there is none */
  sorted(sorted: Entry[], cmp: (x: Entry, y: Entry) => number): Entry[] {
    if (!this.drop.size && !this.add.size) return sorted;
    const merged = mergeSorted(sorted, this.drop, [...this.add.values()], cmp);
    this.forgetApplied();
    return merged;
  }

  /** Forgets the applied changes not merged yet (a reload reads them all again); queued ones stay. */
  forgetApplied(): void {
    this.drop.clear();
    this.add.clear();
  }
}
