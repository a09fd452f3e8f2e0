// The project's one XML escaper and its small XML 1.0 reader, for the documents LensDesk itself
// writes or exchanges: VOTable exports, SVG plots, and SAMP's XML-RPC messages (which arrive from
// other programs, so the reader is strict and bounded).
// Not a general parser: no DTD at all (a DOCTYPE or <!ENTITY is refused, so there is no entity
// expansion, no external entity and no "billion laughs"), namespace prefixes are kept in names.
// Elements, attributes, text, CDATA, comments, processing instructions; the five predefined
// entities and numeric character references, which must name characters XML 1.0 allows (§2.2
// Char, §4.1 WFC: Legal Character). A bare '&', an unknown entity, '<' in an attribute value, a
// duplicate attribute or a mismatched end tag are errors naming the offset (§2.3, §3.1 WFC).
// Limits (document length, nesting depth, attributes per element, tag length) keep hostile
// input from costing unbounded memory or time; every scan is linear (sticky regular expressions
// at the current offset, no re-slicing).
import { InputError } from './errors';

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: Array<XmlElement | string>;
}

export interface XmlLimits {
  /** Characters in the document (default 16 Mi, the XML-RPC body cap). */
  maxLength?: number;
  /** Element nesting depth (default 256). */
  maxDepth?: number;
  /** Attributes on one element (default 256). */
  maxAttributes?: number;
}

/** Escapes text for element content or a quoted attribute; characters XML 1.0 forbids become U+FFFD. */
export function escapeXml(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** XML 1.0 §2.2 Char. */
function isXmlChar(c: number): boolean {
  return c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

const REF = /&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|([A-Za-z_][\w.-]{0,31}));/y;

/** Replaces entity and character references; `at` is the offset of s in the document (for errors). */
export function unescapeXml(s: string, at = 0): string {
  if (!s.includes('&')) return s;
  let out = '';
  let last = 0;
  for (let j = s.indexOf('&'); j >= 0; j = s.indexOf('&', last)) {
    REF.lastIndex = j;
    const m = REF.exec(s);
    if (!m) throw new InputError('XML_ENTITY', `malformed XML at offset ${at + j}: '&' must start a reference such as &amp;`, { offset: at + j });
    let v: string;
    if (m[3] !== undefined) {
      const e = ENTITIES[m[3]];
      if (e === undefined) throw new InputError('XML_ENTITY', `malformed XML at offset ${at + j}: unknown entity ${m[0]} (DTD entities are not expanded)`, { offset: at + j });
      v = e;
    } else {
      const c = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2]!, 10);
      if (!isXmlChar(c)) throw new InputError('XML_ENTITY', `malformed XML at offset ${at + j}: ${m[0]} is not a character XML 1.0 allows`, { offset: at + j });
      v = String.fromCodePoint(c);
    }
    out += s.slice(last, j) + v;
    last = j + m[0].length;
  }
  return out + s.slice(last);
}

const START_TAG = /<([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/y;
const ATTR = /([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const END_TAG = /<\/([A-Za-z_][\w.:-]*)\s*>/y;
const MAX_TAG = 65536;

/** Parses a document and returns its root element. Throws InputError with the offset on malformed input. */
export function parseXml(text: string, limits: XmlLimits = {}): XmlElement {
  const maxLength = limits.maxLength ?? 16 * 1024 * 1024;
  const maxDepth = limits.maxDepth ?? 256;
  const maxAttributes = limits.maxAttributes ?? 256;
  let i = 0;
  const fail = (msg: string): never => {
    throw new InputError('XML_MALFORMED', `malformed XML at offset ${i}: ${msg}`, { offset: i });
  };
  if (text.length > maxLength) fail(`document of ${text.length} characters exceeds the limit of ${maxLength}`);
  const stack: XmlElement[] = [{ name: '#document', attrs: {}, children: [] }];
  const closeAt = (marker: string, what: string): number => {
    const e = text.indexOf(marker, i);
    if (e < 0) fail(`unterminated ${what}`);
    return e;
  };
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const end = lt === -1 ? text.length : lt;
    if (end > i) {
      const chunk = text.slice(i, end);
      if (stack.length === 1) {
        if (chunk.trim()) fail('text outside the root element');
      } else stack[stack.length - 1]!.children.push(unescapeXml(chunk, i));
    }
    if (lt === -1) break;
    i = lt;
    if (text.startsWith('<!--', i)) {
      i = closeAt('-->', 'comment') + 3;
    } else if (text.startsWith('<![CDATA[', i)) {
      if (stack.length === 1) fail('CDATA outside the root element');
      const e = closeAt(']]>', 'CDATA');
      stack[stack.length - 1]!.children.push(text.slice(i + 9, e));
      i = e + 3;
    } else if (text.startsWith('<?', i)) {
      i = closeAt('?>', 'processing instruction') + 2;
    } else if (text.startsWith('<!', i)) {
      fail('DOCTYPE and declarations are not accepted (no DTD processing)');
    } else if (text[i + 1] === '/') {
      END_TAG.lastIndex = i;
      const m = END_TAG.exec(text);
      if (!m) fail('bad end tag');
      const open = stack.length > 1 ? stack.pop() : undefined;
      if (!open || open.name !== m![1]) fail(`unexpected </${m![1]}>${open ? ` (open element is <${open.name}>)` : ''}`);
      i += m![0].length;
    } else {
      START_TAG.lastIndex = i;
      const m = START_TAG.exec(text);
      if (!m) fail('bad start tag (or an attribute value holding "<")');
      if (m![0].length > MAX_TAG) fail(`start tag longer than ${MAX_TAG} characters`);
      const attrs: Record<string, string> = {};
      let nAttr = 0;
      const attrOffset = i + 1 + m![1]!.length;
      for (const a of m![2]!.matchAll(ATTR)) {
        if (++nAttr > maxAttributes) fail(`more than ${maxAttributes} attributes on <${m![1]}>`);
        if (Object.prototype.hasOwnProperty.call(attrs, a[1]!)) fail(`duplicate attribute ${a[1]} on <${m![1]}>`);
        attrs[a[1]!] = unescapeXml(a[2] ?? a[3] ?? '', attrOffset + (a.index ?? 0));
      }
      const el: XmlElement = { name: m![1]!, attrs, children: [] };
      if (stack.length === 1 && stack[0]!.children.length) fail('second root element');
      stack[stack.length - 1]!.children.push(el);
      if (!m![3]) {
        if (stack.length > maxDepth) fail(`elements nested deeper than ${maxDepth}`);
        stack.push(el);
      }
      i += m![0].length;
    }
  }
  if (stack.length !== 1) fail(`unclosed <${stack[stack.length - 1]!.name}>`);
  const root = stack[0]!.children[0];
  if (!root || typeof root === 'string') fail('no root element');
  return root as XmlElement;
}

/** Child elements, optionally by name. */
export function childElements(el: XmlElement, name?: string): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string' && (name === undefined || c.name === name));
}

/** Concatenated text content (direct children only). */
export function textOf(el: XmlElement): string {
  return el.children.filter((c): c is string => typeof c === 'string').join('');
}
