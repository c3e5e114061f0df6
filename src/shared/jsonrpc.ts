/** The browser host's wire: JSON-RPC 2.0 over a loopback WebSocket, validated on both ends. */
import { z } from 'zod';

export const RPC_PATH = '/rpc';

/** first frame from the page: the per-launch secret */
export const HostAuthSchema = z.object({ type: z.literal('auth'), secret: z.string().min(1).max(512) });

export const RpcRequestSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: z.number().int().nonnegative(),
  method: z.string().min(1).max(100),
  params: z.array(z.unknown()).max(16),
});
export type RpcRequest = z.infer<typeof RpcRequestSchema>;

export const EnvelopeSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) }),
]);

export const HostFrameSchema = z.union([
  z.object({ type: z.literal('ready') }),
  z.object({ jsonrpc: z.literal('2.0'), id: z.number(), result: EnvelopeSchema }),
  z.object({ jsonrpc: z.literal('2.0'), method: z.literal('event'), params: z.object({ name: z.string(), payload: z.unknown() }) }),
]);

/** close codes the page turns into a clear message */
export const CLOSE_BAD_SECRET = 4401;
export const CLOSE_BAD_FRAME = 4400;
