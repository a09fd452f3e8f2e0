// SAMP 1.3 Standard Profile client (IVOA Recommendation 2019-04-11): registers with the hub from
// the lockfile, declares metadata and subscriptions, runs a callable XML-RPC endpoint on
// 127.0.0.1 for incoming messages, and sends notify / call messages. MTypes used by LensDesk:
// image.load.fits, table.load.votable, table.load.fits, coord.pointAt.sky (send);
// table.highlight.row, table.select.rowList (receive). SAMP values are strings, lists and maps
// only (§3.8), so numbers are sent as decimal strings.
import { randomUUID } from 'node:crypto';
import { InputError } from '../../src-core/errors';
import { readHubInfo, type HubInfo } from './lockfile';
import { XmlRpcServer, xmlRpcCall, type XmlRpcValue } from './xmlrpc';

export type SampMap = { [key: string]: XmlRpcValue };
export interface SampMessage {
  'samp.mtype': string;
  'samp.params': SampMap;
}
export interface SampResponse {
  'samp.status': 'samp.ok' | 'samp.warning' | 'samp.error';
  'samp.result'?: SampMap;
  'samp.error'?: SampMap;
}
/** Handler for one MType; the return value becomes samp.result for calls. */
export type SampHandler = (params: SampMap, senderId: string, message: SampMessage) => SampMap | void | Promise<SampMap | void>;

export interface SampClientOptions {
  /** Hub to use; default read from $SAMP_HUB / ~/.samp. */
  hub?: HubInfo;
  env?: NodeJS.ProcessEnv;
  metadata?: Record<string, string>;
  /** Incoming MTypes this client handles (samp.app.ping is always answered). */
  handlers?: Record<string, SampHandler>;
  /** Per XML-RPC request, ms (default 5000). */
  timeoutMs?: number;
}

export const LENSDESK_METADATA = {
  'samp.name': 'LensDesk',
  'samp.description.text': 'Find and review strong gravitational lens candidates in FITS survey images',
  'lensdesk.version': '0.1.0',
};

export class SampClient {
  private readonly server: XmlRpcServer;
  private readonly pending = new Map<string, { resolve: (r: SampResponse) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private privateKey = '';
  selfId = '';
  hubId = '';
  private closed = false;

  private constructor(
    readonly hub: HubInfo,
    private readonly handlers: Record<string, SampHandler>,
    private readonly timeoutMs: number,
  ) {
    this.server = new XmlRpcServer((m) => this.callback(m));
  }

  static async connect(opts: SampClientOptions = {}): Promise<SampClient> {
    const hub = opts.hub ?? readHubInfo(opts.env);
    const c = new SampClient(hub, { ...opts.handlers }, opts.timeoutMs ?? 5000);
    try {
      const reg = (await c.hubCall('samp.hub.register', [hub.secret])) as SampMap;
      c.privateKey = String(reg['samp.private-key']);
      c.selfId = String(reg['samp.self-id']);
      c.hubId = String(reg['samp.hub-id']);
      const url = await c.server.listen('/samp');
      await c.hubCall('samp.hub.setXmlrpcCallback', [c.privateKey, url]);
      await c.hubCall('samp.hub.declareMetadata', [c.privateKey, { ...LENSDESK_METADATA, ...opts.metadata }]);
      await c.declareSubscriptions();
      return c;
    } catch (e) {
      await c.close();
      throw e;
    }
  }

  private hubCall(method: string, params: XmlRpcValue[]): Promise<XmlRpcValue> {
    return xmlRpcCall(this.hub.xmlrpcUrl, method, params, this.timeoutMs);
  }

  /** (Re)declares subscriptions from the handler table. */
  async declareSubscriptions(): Promise<void> {
    const subs: SampMap = { 'samp.app.ping': {} };
    for (const m of Object.keys(this.handlers)) subs[m] = {};
    await this.hubCall('samp.hub.declareSubscriptions', [this.privateKey, subs]);
  }

  /** Adds or replaces the handler for one MType and tells the hub. */
  async on(mtype: string, handler: SampHandler): Promise<void> {
    this.handlers[mtype] = handler;
    await this.declareSubscriptions();
  }

  private callback(method: string) {
    const checkKey = (k: XmlRpcValue) => {
      if (k !== this.privateKey) throw new Error('wrong private key');
    };
    switch (method) {
      case 'samp.client.receiveNotification':
        return async ([key, sender, msg]: XmlRpcValue[]) => {
          checkKey(key!);
          await this.dispatch(String(sender), msg as unknown as SampMessage);
          return '';
        };
      case 'samp.client.receiveCall':
        return async ([key, sender, msgId, msg]: XmlRpcValue[]) => {
          checkKey(key!);
          // Answer asynchronously (§3.9): the hub expects receiveCall to return at once.
          void (async () => {
            let response: SampResponse;
            try {
              const result = (await this.dispatch(String(sender), msg as unknown as SampMessage)) ?? {};
              response = { 'samp.status': 'samp.ok', 'samp.result': result };
            } catch (e) {
              response = { 'samp.status': 'samp.error', 'samp.error': { 'samp.errortxt': (e as Error).message } };
            }
            await this.hubCall('samp.hub.reply', [this.privateKey, String(msgId), response as unknown as SampMap]).catch(() => undefined);
          })();
          return '';
        };
      case 'samp.client.receiveResponse':
        return ([key, , msgTag, response]: XmlRpcValue[]) => {
          checkKey(key!);
          const p = this.pending.get(String(msgTag));
          if (p) {
            clearTimeout(p.timer);
            this.pending.delete(String(msgTag));
            p.resolve(response as unknown as SampResponse);
          }
          return '';
        };
      default:
        return undefined;
    }
  }

  private async dispatch(sender: string, msg: SampMessage): Promise<SampMap | void> {
    const mtype = msg['samp.mtype'];
    if (mtype === 'samp.app.ping') return {};
    const h = this.handlers[mtype] ?? Object.entries(this.handlers).find(([k]) => k.endsWith('*') && mtype.startsWith(k.slice(0, -1)))?.[1];
    if (!h) throw new Error(`not subscribed to ${mtype}`);
    return h(msg['samp.params'] ?? {}, sender, msg);
  }

  /** Fire-and-forget to one client. */
  async notify(recipientId: string, mtype: string, params: SampMap): Promise<void> {
    await this.hubCall('samp.hub.notify', [this.privateKey, recipientId, { 'samp.mtype': mtype, 'samp.params': params }]);
  }

  /** Fire-and-forget to every subscribed client; returns their ids. */
  async notifyAll(mtype: string, params: SampMap): Promise<string[]> {
    return ((await this.hubCall('samp.hub.notifyAll', [this.privateKey, { 'samp.mtype': mtype, 'samp.params': params }])) as XmlRpcValue[]).map(String);
  }

  /** Call with a response (asynchronous pattern: call + receiveResponse), rejected after timeoutMs. */
  call(recipientId: string, mtype: string, params: SampMap, timeoutMs = 10_000): Promise<SampResponse> {
    const tag = randomUUID();
    return new Promise<SampResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(tag);
        reject(new Error(`SAMP ${mtype} to ${recipientId}: no response within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(tag, { resolve, reject, timer });
      this.hubCall('samp.hub.call', [this.privateKey, recipientId, tag, { 'samp.mtype': mtype, 'samp.params': params }]).catch((e) => {
        clearTimeout(timer);
        this.pending.delete(tag);
        reject(e);
      });
    });
  }

  async getRegisteredClients(): Promise<string[]> {
    return ((await this.hubCall('samp.hub.getRegisteredClients', [this.privateKey])) as XmlRpcValue[]).map(String);
  }
  async getSubscribedClients(mtype: string): Promise<string[]> {
    return Object.keys((await this.hubCall('samp.hub.getSubscribedClients', [this.privateKey, mtype])) as SampMap);
  }
  async getMetadata(clientId: string): Promise<SampMap> {
    return (await this.hubCall('samp.hub.getMetadata', [this.privateKey, clientId])) as SampMap;
  }

  // ---- LensDesk's messages (SAMP MTypes document, IVOA) ----
  /** Sends to one client when `to` is given, else to all subscribed clients. */
  private send(mtype: string, params: SampMap, to?: string): Promise<unknown> {
    return to ? this.notify(to, mtype, params) : this.notifyAll(mtype, params);
  }
  loadFitsImage(url: string, opts: { imageId?: string; name?: string; to?: string } = {}) {
    return this.send('image.load.fits', dropEmpty({ url, 'image-id': opts.imageId, name: opts.name }), opts.to);
  }
  loadVoTable(url: string, opts: { tableId?: string; name?: string; to?: string } = {}) {
    return this.send('table.load.votable', dropEmpty({ url, 'table-id': opts.tableId, name: opts.name }), opts.to);
  }
  loadFitsTable(url: string, opts: { tableId?: string; name?: string; to?: string } = {}) {
    return this.send('table.load.fits', dropEmpty({ url, 'table-id': opts.tableId, name: opts.name }), opts.to);
  }
  /** coord.pointAt.sky: ra, dec in degrees (ICRS). */
  pointAtSky(ra: number, dec: number, opts: { to?: string } = {}) {
    if (!Number.isFinite(ra) || !Number.isFinite(dec)) throw new InputError('SAMP_PARAM', `coord.pointAt.sky needs finite ra, dec (got ${ra}, ${dec})`);
    return this.send('coord.pointAt.sky', { ra: String(ra), dec: String(dec) }, opts.to);
  }
  /** table.highlight.row: calls back with (tableId, url, row 0-based) when another tool highlights a row. */
  onHighlightRow(cb: (row: { tableId: string; url: string; row: number; sender: string }) => void): Promise<void> {
    return this.on('table.highlight.row', (p, sender) => {
      const row = Number(p.row);
      if (!Number.isInteger(row) || row < 0) throw new Error(`table.highlight.row: bad row '${String(p.row)}'`);
      cb({ tableId: String(p['table-id'] ?? ''), url: String(p.url ?? ''), row, sender });
    });
  }

  /** table.select.rowList: calls back with the 0-based rows another tool selected. */
  onSelectRowList(cb: (sel: { tableId: string; url: string; rows: number[]; sender: string }) => void): Promise<void> {
    return this.on('table.select.rowList', (p, sender) => {
      const list = Array.isArray(p['row-list']) ? p['row-list'] : [];
      const rows = list.map((v) => Number(v));
      if (rows.some((r) => !Number.isInteger(r) || r < 0)) throw new Error('table.select.rowList: row-list must hold non-negative integers');
      cb({ tableId: String(p['table-id'] ?? ''), url: String(p.url ?? ''), rows, sender });
    });
  }

  /** Unregisters and stops the callback server. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error('SAMP client closed'));
    }
    this.pending.clear();
    if (this.privateKey) await this.hubCall('samp.hub.unregister', [this.privateKey]).catch(() => undefined);
    await this.server.close();
  }
}

function dropEmpty(m: Record<string, string | undefined>): SampMap {
  const out: SampMap = {};
  for (const [k, v] of Object.entries(m)) if (v !== undefined) out[k] = v;
  return out;
}
