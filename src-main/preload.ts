// Sandboxed preload (built as CommonJS): exposes the contract's client transport and nothing else.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

contextBridge.exposeInMainWorld('lensdesk', {
  call: (method: string, params: unknown): Promise<unknown> => ipcRenderer.invoke('lensdesk:call', method, params),
  onEvent: (cb: (event: string, data: unknown) => void): (() => void) => {
    const h = (_e: IpcRendererEvent, event: string, data: unknown) => cb(event, data);
    ipcRenderer.on('lensdesk:event', h);
    return () => ipcRenderer.off('lensdesk:event', h);
  },
});
