// A minimal in-process SAMP 1.3 Standard Profile hub for tests (not for users: run TOPCAT or
// another real hub). Implements the hub XML-RPC methods a client needs (§3.11, §4.2): register,
// unregister, setXmlrpcCallback, declareMetadata/getMetadata, declareSubscriptions/
// getSubscriptions, getRegisteredClients, getSubscribedClients, notify/notifyAll, call/callAll,
// callAndWait, reply, ping; MType wildcards ('table.*', '*'). It writes a lockfile where told,
// binds 127.0.0.1 only and forwards every message with a timeout.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { writeLockfile } from '../src-main/samp/lockfile';
import { XmlRpcFault, XmlRpcServer, xmlRpcCall, type XmlRpcValue } from '../src-main/samp/xmlrpc';

type Map_ = { [k: string]: XmlRpcValue };

interface HubClient {
  id: string;
  key: string;
  metadata: Map_;
  subscriptions: Map_;
  callbackUrl?: string;
}

export function mtypeMatches(pattern: string, mtype: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return mtype.startsWith(pattern.slice(0, -1));
  return pattern === mtype;
}

export class SampTestHub {
  readonly secret = randomBytes(16).toString('hex');
  readonly hubId = 'hub';
  private readonly server: XmlRpcServer;
  private readonly clients = new Map<string, HubClient>(); // by private key
  private readonly calls = new Map<string, { senderKey: string; msgTag: string; waiter?: (r: XmlRpcValue) => void }>();
  private counter = 0;
  url = '';
  /** Every message forwarded, for assertions: [method, recipientId, message]. */
  readonly log: Array<[string, string, XmlRpcValue]> = [];

  constructor(
    private readonly lockfile?: string,
    private readonly timeoutMs = 5000,
  ) {
    this.server = new XmlRpcServer((m) => this.method(m));
  }

  async start(): Promise<this> {
    this.url = await this.server.listen('/xmlrpc');
    if (this.lockfile) writeLockfile(this.lockfile, this.secret, this.url, { 'samp.hub.name': 'LensDesk test hub' });
    return this;
  }

  async stop(): Promise<void> {
    await this.server.close();
    if (this.lockfile) rmSync(this.lockfile, { force: true });
    for (const c of this.calls.values()) c.waiter?.({ 'samp.status': 'samp.error', 'samp.error': { 'samp.errortxt': 'hub shut down' } });
    this.calls.clear();
  }

  private client(key: XmlRpcValue): HubClient {
    const c = this.clients.get(String(key));
    if (!c) throw new XmlRpcFault(1, 'unknown private key');
    return c;
  }
  private byId(id: XmlRpcValue): HubClient {
    for (const c of this.clients.values()) if (c.id === String(id)) return c;
    throw new XmlRpcFault(1, `no client '${String(id)}'`);
  }
  private subscribed(c: HubClient, mtype: string): boolean {
    return Object.keys(c.subscriptions).some((p) => mtypeMatches(p, mtype));
  }
  private target(c: HubClient, mtype: string): HubClient {
    if (!this.subscribed(c, mtype)) throw new XmlRpcFault(1, `client ${c.id} is not subscribed to ${mtype}`);
    if (!c.callbackUrl) throw new XmlRpcFault(1, `client ${c.id} is not callable`);
    return c;
  }
  private forward(to: HubClient, method: string, params: XmlRpcValue[]): void {
    this.log.push([method, to.id, params[params.length - 1]!]);
    // Delivery is asynchronous (§3.9): failures do not reach the sender, as with a real hub.
    xmlRpcCall(to.callbackUrl!, method, [to.key, ...params], this.timeoutMs).catch(() => undefined);
  }

  private method(name: string): ((p: XmlRpcValue[]) => XmlRpcValue | Promise<XmlRpcValue>) | undefined {
    const M: Record<string, (p: XmlRpcValue[]) => XmlRpcValue | Promise<XmlRpcValue>> = {
      'samp.hub.ping': () => '',
      'samp.hub.register': ([secret]) => {
        if (secret !== this.secret) throw new XmlRpcFault(1, 'bad samp.secret');
        const key = randomBytes(12).toString('hex');
        const id = `c${++this.counter}`;
        this.clients.set(key, { id, key, metadata: {}, subscriptions: {} });
        return { 'samp.private-key': key, 'samp.hub-id': this.hubId, 'samp.self-id': id };
      },
      'samp.hub.unregister': ([key]) => (this.client(key), this.clients.delete(String(key)), ''),
      'samp.hub.setXmlrpcCallback': ([key, url]) => ((this.client(key).callbackUrl = String(url)), ''),
      'samp.hub.declareMetadata': ([key, meta]) => ((this.client(key).metadata = meta as Map_), ''),
      'samp.hub.getMetadata': ([key, id]) => (this.client(key), String(id) === this.hubId ? { 'samp.name': 'LensDesk test hub' } : this.byId(id).metadata),
      'samp.hub.declareSubscriptions': ([key, subs]) => ((this.client(key).subscriptions = subs as Map_), ''),
      'samp.hub.getSubscriptions': ([key, id]) => (this.client(key), this.byId(id).subscriptions),
      'samp.hub.getRegisteredClients': ([key]) => {
        const me = this.client(key);
        return [this.hubId, ...[...this.clients.values()].filter((c) => c !== me).map((c) => c.id)];
      },
      'samp.hub.getSubscribedClients': ([key, mtype]) => {
        const me = this.client(key);
        const out: Map_ = {};
        for (const c of this.clients.values()) if (c !== me && this.subscribed(c, String(mtype))) out[c.id] = {};
        return out;
      },
      'samp.hub.notify': ([key, id, msg]) => {
        const me = this.client(key);
        this.forward(this.target(this.byId(id), mtypeOf(msg!)), 'samp.client.receiveNotification', [me.id, msg!]);
        return '';
      },
      'samp.hub.notifyAll': ([key, msg]) => {
        const me = this.client(key);
        const ids: string[] = [];
        for (const c of this.clients.values())
          if (c !== me && c.callbackUrl && this.subscribed(c, mtypeOf(msg!))) {
            this.forward(c, 'samp.client.receiveNotification', [me.id, msg!]);
            ids.push(c.id);
          }
        return ids;
      },
      'samp.hub.call': ([key, id, tag, msg]) => this.startCall(this.client(key), this.byId(id), String(tag), msg!),
      'samp.hub.callAll': ([key, tag, msg]) => {
        const me = this.client(key);
        const out: Map_ = {};
        for (const c of this.clients.values()) if (c !== me && c.callbackUrl && this.subscribed(c, mtypeOf(msg!))) out[c.id] = this.startCall(me, c, String(tag), msg!);
        return out;
      },
      'samp.hub.callAndWait': ([key, id, msg, timeout]) =>
        new Promise<XmlRpcValue>((resolve, reject) => {
          const me = this.client(key);
          const ms = Math.min(Number(timeout) > 0 ? Number(timeout) * 1000 : this.timeoutMs, this.timeoutMs);
          const timer = setTimeout(() => reject(new XmlRpcFault(1, 'callAndWait timed out')), ms);
          const msgId = this.startCall(me, this.byId(id), '', msg!, (r) => {
            clearTimeout(timer);
            resolve(r);
          });
          void msgId;
        }),
      'samp.hub.reply': ([key, msgId, response]) => {
        const responder = this.client(key);
        const c = this.calls.get(String(msgId));
        if (!c) throw new XmlRpcFault(1, `unknown msg-id ${String(msgId)}`);
        this.calls.delete(String(msgId));
        if (c.waiter) c.waiter(response!);
        else {
          const sender = this.clients.get(c.senderKey);
          if (sender?.callbackUrl) this.forward(sender, 'samp.client.receiveResponse', [responder.id, c.msgTag, response!]);
        }
        return '';
      },
    };
    return M[name];
  }

  private startCall(sender: HubClient, to: HubClient, msgTag: string, msg: XmlRpcValue, waiter?: (r: XmlRpcValue) => void): string {
    const target = this.target(to, mtypeOf(msg));
    const msgId = `${sender.id}-${++this.counter}`;
    this.calls.set(msgId, { senderKey: sender.key, msgTag, waiter });
    this.forward(target, 'samp.client.receiveCall', [sender.id, msgId, msg]);
    return msgId;
  }
}

function mtypeOf(msg: XmlRpcValue): string {
  const m = (msg as Map_)['samp.mtype'];
  if (typeof m !== 'string') throw new XmlRpcFault(1, 'message without samp.mtype');
  return m;
}
