/**
 * Assembling a snapshot from its chunks. Chunks must come in order (0, 1, 2 …) and all carry the seq of
 * chunk 0; anything else means the stream is confused and the client starts over with a new hello.
 * Chunk 0 always starts a fresh stage (a server may restart a snapshot).
 */
import type { ServerFrame } from '@shared/protocol';

export type SnapshotFrame = Extract<ServerFrame, { type: 'snapshot' }>;

export interface SnapshotStage {
  seq: number;
  /** the chunk expected next */
  next: number;
  items: { kind: string; data: unknown }[];
}

export type ChunkOutcome = { ok: false } | { ok: true; stage: SnapshotStage; complete: boolean };

/** adds chunk `f` to `stage` (null: none begun); the stage is extended in place */
export function stageChunk(stage: SnapshotStage | null, f: SnapshotFrame): ChunkOutcome {
  const s = f.chunk === 0 ? { seq: f.seq, next: 0, items: [] } : stage;
  if (!s || f.chunk !== s.next || f.seq !== s.seq) return { ok: false };
  for (const it of f.items) s.items.push(it);
  s.next++;
  return { ok: true, stage: s, complete: f.chunk + 1 >= f.chunks };
}
