/**
 * The sandboxed preload: exposes the contract as `window.vigil` and nothing else. One ipcRenderer.invoke
 * channel per method (names derived from the contract); subscriptions strip the IPC event and hand the
 * renderer only the payload, returning an unsubscribe function.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { channelOf, eventChannelOf, type VigilApi } from '@shared/api';
import { buildApi } from '@shared/bridge';
import type { Envelope } from '@shared/rpc';

const api = buildApi({
  call: (name, args) => ipcRenderer.invoke(channelOf(name), ...args) as Promise<Envelope>,
  subscribe: (name, listener) => {
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
    const ch = eventChannelOf(name);
    ipcRenderer.on(ch, wrapped);
    return () => {
      ipcRenderer.removeListener(ch, wrapped);
    };
  },
}) satisfies VigilApi;

contextBridge.exposeInMainWorld('vigil', api);
