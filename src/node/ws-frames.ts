/** WebSocket frame helpers shared by every `ws` endpoint (platform link, gateway, browser host). */
import type { RawData } from 'ws';

/** The frame as text (null for binary) and its size in bytes. */
export function frameText(data: RawData, isBinary: boolean): { text: string | null; bytes: number } {
  const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  return { text: isBinary ? null : buf.toString('utf8'), bytes: buf.length };
}
