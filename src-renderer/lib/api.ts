// The renderer's one API client. Two transports behind the same typed `call`/`on`:
// the Electron preload bridge (window.lensdesk) or, in browser mode, a WebSocket to the loopback
// server. Browser mode authenticates with the per-run token in the page's own URL (`?token=`), which
// the same-origin policy keeps from every other origin; it is sent on the WebSocket and image URLs.
// (No cookie: cookies are not scoped by port and would reach other services on 127.0.0.1.)
import type { EventName, Events, Method, Params, Result, RpcEvent, RpcResponse } from '../../src-core/api/contract';
import { deserializeError, type SerializedError } from '../../src-core/errors';

interface Bridge {
  call(method: string, params: unknown): Promise<{ ok: boolean; result?: unknown; error?: SerializedError }>;
  onEvent(cb: (event: string, data: unknown) => void): () => void;
}
declare global {
  interface Window {
    lensdesk?: Bridge;
  }
}

type Listener = (data: unknown) => void;

/** The per-run token of browser mode, from the page's URL; empty under Electron (its own protocol). */
const pageToken = (() => {
  try {
    return new URLSearchParams(location.search).get('token') ?? '';
  } catch {
    return '';
  }
})();
const withToken = (url: string) => (pageToken ? `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(pageToken)}` : url);

class ApiClient {
  private listeners = new Map<string, Set<Listener>>();
  private ws: WebSocket | null = null;
  private wsReady: Promise<WebSocket> | null = null;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private nextId = 1;
  readonly transport: 'electron' | 'websocket';

  constructor() {
    this.transport = window.lensdesk ? 'electron' : 'websocket';
    if (window.lensdesk) window.lensdesk.onEvent((e, d) => this.dispatch(e, d));
  }

  async call<M extends Method>(method: M, params: Params<M> = {} as Params<M>): Promise<Result<M>> {
    if (window.lensdesk) {
      const r = await window.lensdesk.call(method, params);
      if (!r.ok) throw deserializeError(r.error!);
      return r.result as Result<M>;
    }
    const ws = await this.socket();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  }

  on<E extends EventName>(event: E, cb: (data: Events[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(cb as Listener);
    if (!window.lensdesk) void this.socket();
    return () => set!.delete(cb as Listener);
  }

  /** URL of a workspace image (cutout FITS, PNG) through the app's own origin. */
  imageUrl(path: string): string {
    return window.lensdesk ? `${location.origin}/img/${path}` : withToken(`${location.origin}/img/${path}`);
  }

  private dispatch(event: string, data: unknown): void {
    for (const cb of this.listeners.get(event) ?? []) cb(data);
  }

  private socket(): Promise<WebSocket> {
    if (this.wsReady) return this.wsReady;
    this.wsReady = new Promise((resolve, reject) => {
      const ws = new WebSocket(withToken(`${location.origin.replace(/^http/, 'ws')}/ws`));
      ws.onopen = () => {
        this.ws = ws;
        resolve(ws);
      };
      ws.onerror = () => reject(new Error('cannot reach the LensDesk backend (is `lensdesk serve` still running?)'));
      ws.onclose = () => {
        this.ws = null;
        this.wsReady = null;
        for (const p of this.pending.values()) p.reject(new Error('connection to the LensDesk backend closed'));
        this.pending.clear();
        this.dispatch('connection.lost', null);
      };
      ws.onmessage = (m) => {
        const msg = JSON.parse(String(m.data)) as RpcResponse | RpcEvent;
        if ('event' in msg) return this.dispatch(msg.event, msg.data);
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if ('error' in msg) p.reject(deserializeError(msg.error));
        else p.resolve(msg.result);
      };
    });
    return this.wsReady;
  }
}

export const api = new ApiClient();
