// Minimal XML-RPC (xmlrpc.com spec, 1999) over node:http, as SAMP 1.3's Standard Profile uses it
// (§4.2 encodes SAMP strings, lists and maps as XML-RPC <string>, <array>, <struct>). Loopback
// only: the client refuses non-loopback URLs and the server binds 127.0.0.1. Every request has a
// timeout; bodies are capped so a misbehaving peer cannot exhaust memory.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InputError } from '../../src-core/errors';
import { childElements, escapeXml, parseXml, textOf, type XmlElement } from '../../src-core/xml';
import { hardenServer, totalHandler } from '../serve/http-safe';

export type XmlRpcValue = string | number | boolean | XmlRpcValue[] | { [key: string]: XmlRpcValue };

export class XmlRpcFault extends Error {
  override name = 'XmlRpcFault';
  constructor(
    readonly faultCode: number,
    readonly faultString: string,
  ) {
    super(`XML-RPC fault ${faultCode}: ${faultString}`);
  }
}

const MAX_BODY = 16 * 1024 * 1024;

export function encodeValue(v: XmlRpcValue): string {
  if (typeof v === 'string') return `<value><string>${escapeXml(v)}</string></value>`;
  if (typeof v === 'boolean') return `<value><boolean>${v ? 1 : 0}</boolean></value>`;
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? `<value><int>${v}</int></value>` : `<value><double>${v}</double></value>`;
  if (Array.isArray(v)) return `<value><array><data>${v.map(encodeValue).join('')}</data></array></value>`;
  return `<value><struct>${Object.entries(v)
    .map(([k, x]) => `<member><name>${escapeXml(k)}</name>${encodeValue(x)}</member>`)
    .join('')}</struct></value>`;
}

export function encodeCall(method: string, params: XmlRpcValue[]): string {
  return `<?xml version="1.0"?>\n<methodCall><methodName>${escapeXml(method)}</methodName><params>${params.map((p) => `<param>${encodeValue(p)}</param>`).join('')}</params></methodCall>`;
}

export function encodeResponse(v: XmlRpcValue): string {
  return `<?xml version="1.0"?>\n<methodResponse><params><param>${encodeValue(v)}</param></params></methodResponse>`;
}

export function encodeFault(code: number, message: string): string {
  return `<?xml version="1.0"?>\n<methodResponse><fault>${encodeValue({ faultCode: code, faultString: message })}</fault></methodResponse>`;
}

function bad(msg: string): InputError {
  return new InputError('XMLRPC_MALFORMED', `malformed XML-RPC: ${msg}`);
}

export function decodeValue(el: XmlElement): XmlRpcValue {
  const typed = childElements(el)[0];
  if (!typed) return textOf(el); // <value>text</value> is a string
  switch (typed.name) {
    case 'string':
      return textOf(typed);
    case 'int':
    case 'i4':
    case 'i8':
    case 'double': {
      const n = Number(textOf(typed).trim());
      if (!Number.isFinite(n)) throw bad(`bad <${typed.name}> '${textOf(typed)}'`);
      return n;
    }
    case 'boolean':
      return textOf(typed).trim() === '1';
    case 'array':
      return childElements(childElements(typed, 'data')[0] ?? typed, 'value').map(decodeValue);
    case 'struct': {
      const out: Record<string, XmlRpcValue> = {};
      for (const m of childElements(typed, 'member')) {
        const name = childElements(m, 'name')[0];
        const value = childElements(m, 'value')[0];
        if (!name || !value) throw bad('struct member without name or value');
        // defineProperty, not assignment: a member named __proto__ must stay data, not become the prototype.
        Object.defineProperty(out, textOf(name), { value: decodeValue(value), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'base64':
    case 'dateTime.iso8601':
      return textOf(typed).trim();
    default:
      throw bad(`unknown type <${typed.name}>`);
  }
}

export function decodeCall(xml: string): { method: string; params: XmlRpcValue[] } {
  const root = parseXml(xml);
  if (root.name !== 'methodCall') throw bad(`root <${root.name}> is not <methodCall>`);
  const name = childElements(root, 'methodName')[0];
  if (!name) throw bad('no <methodName>');
  const params = childElements(childElements(root, 'params')[0] ?? { name: '', attrs: {}, children: [] }, 'param').map((p) => {
    const v = childElements(p, 'value')[0];
    if (!v) throw bad('<param> without <value>');
    return decodeValue(v);
  });
  return { method: textOf(name).trim(), params };
}

/** The response value, or throws XmlRpcFault. */
export function decodeResponse(xml: string): XmlRpcValue {
  const root = parseXml(xml);
  if (root.name !== 'methodResponse') throw bad(`root <${root.name}> is not <methodResponse>`);
  const fault = childElements(root, 'fault')[0];
  if (fault) {
    const fv = childElements(fault, 'value')[0];
    if (!fv) throw bad('<fault> without a <value>');
    const f = decodeValue(fv);
    if (typeof f !== 'object' || Array.isArray(f)) throw bad('<fault> value is not a struct');
    throw new XmlRpcFault(Number(f.faultCode), String(f.faultString));
  }
  const param = childElements(childElements(root, 'params')[0] ?? root, 'param')[0];
  const v = param && childElements(param, 'value')[0];
  if (!v) throw bad('response without a value');
  return decodeValue(v);
}

export function isLoopbackUrl(u: string): boolean {
  try {
    const url = new URL(u);
    return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  } catch {
    return false;
  }
}

/** POSTs one call; rejects on fault, HTTP error, non-loopback URL or after timeoutMs. */
export function xmlRpcCall(url: string, method: string, params: XmlRpcValue[], timeoutMs = 5000): Promise<XmlRpcValue> {
  if (!isLoopbackUrl(url)) return Promise.reject(new InputError('SAMP_NOT_LOOPBACK', `refusing XML-RPC to ${url}: only http://127.0.0.1 / localhost endpoints are used`));
  const body = Buffer.from(encodeCall(method, params), 'utf8');
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'Content-Type': 'text/xml', 'Content-Length': body.length }, timeout: timeoutMs }, (res) => {
      readBody(res).then((text) => {
        if (res.statusCode !== 200) return reject(new Error(`${method}: HTTP ${res.statusCode} from ${url}`));
        try {
          resolve(decodeResponse(text));
        } catch (e) {
          reject(e);
        }
      }, reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method}: no answer from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    res.on('data', (c: Buffer) => {
      n += c.length;
      if (n > MAX_BODY) res.destroy(new Error(`XML-RPC body larger than ${MAX_BODY} bytes`));
      else chunks.push(c);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

export type XmlRpcHandler = (params: XmlRpcValue[]) => XmlRpcValue | Promise<XmlRpcValue>;

/** An XML-RPC endpoint on 127.0.0.1 (random port). Handler errors become faults. */
export class XmlRpcServer {
  private server: Server | undefined;
  url = '';
  constructor(private readonly handlers: (method: string) => XmlRpcHandler | undefined) {}

  async listen(path = '/xmlrpc'): Promise<string> {
    // Total like the other loopback servers (../serve/http-safe.ts): any local process can POST here.
    const server = createServer(totalHandler((req, res) => {
      if (req.method !== 'POST') {
        res.writeHead(405).end();
        return;
      }
      return readBody(req).then(async (text) => {
        let out: string;
        try {
          const { method, params } = decodeCall(text);
          const h = this.handlers(method);
          out = h ? encodeResponse(await h(params)) : encodeFault(1, `unknown method ${method}`);
        } catch (e) {
          out = encodeFault(e instanceof XmlRpcFault ? e.faultCode : 1, (e as Error).message);
        }
        res.writeHead(200, { 'Content-Type': 'text/xml' }).end(out);
      }, () => void (res.headersSent ? res.destroy() : res.writeHead(400).end()));
    }));
    hardenServer(server);
    server.requestTimeout = 10_000;
    server.headersTimeout = 10_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
    return this.url;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
