/**
 * Channel secrets and URLs, read by the gateway only: `secretEnv` (an environment variable) or `secretFile`
 * (its first line). Checked when the roster is loaded, so a gateway with a channel it cannot sign for does
 * not start; read again at each send, so a rotated secret file is picked up without a restart.
 */
import fs from 'node:fs';
import type { Channel } from '@shared/paging';

export type SecretEnv = Record<string, string | undefined>;

/** the channel's secret, or null when it has none; throws with the channel id when it names one that is missing */
export function channelSecret(c: Channel, env: SecretEnv = process.env): string | null {
  if (c.secretEnv) {
    const v = env[c.secretEnv];
    if (!v) throw new Error(`channel ${c.id}: the environment variable ${c.secretEnv} (secretEnv) is not set`);
    return v.trim();
  }
  if (c.secretFile) {
    let text: string;
    try {
      text = fs.readFileSync(c.secretFile, 'utf8');
    } catch (e) {
      throw new Error(`channel ${c.id}: secretFile ${c.secretFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    const v = text.split(/\r?\n/)[0].trim();
    if (!v) throw new Error(`channel ${c.id}: secretFile ${c.secretFile} is empty`);
    return v;
  }
  return null;
}

/** Everything the gateway needs to send on each channel is there; the problems, one per line (empty: fine). */
export function channelProblems(channels: readonly Channel[], env: SecretEnv = process.env): string[] {
  const out: string[] = [];
  for (const c of channels) {
    if (!c.url) out.push(`channel ${c.id}: url is required`);
    if (c.secretEnv && c.secretFile) out.push(`channel ${c.id}: give secretEnv or secretFile, not both`);
    try {
      const secret = channelSecret(c, env);
      if (c.type === 'dingtalk' && secret && !secret.startsWith('SEC'))
        out.push(`channel ${c.id}: a DingTalk signing secret starts with "SEC" (the robot's 加签 secret)`);
    } catch (e) {
      out.push((e as Error).message);
    }
    if (c.type === 'webhook' && JSON.stringify(c.headers).includes('{{secret}}') && !c.secretEnv && !c.secretFile)
      out.push(`channel ${c.id}: a header uses {{secret}} but the channel has no secretEnv or secretFile`);
  }
  return out;
}
