// Small XML 1.0 reader/escaper for the documents LensDesk itself exchanges (VOTable export, SAMP
// XML-RPC). Not a general parser: no DTDs, no namespaces resolution (prefixes kept in names), no
// external entities (so no XXE). Elements, attributes, text, CDATA, comments, processing
// instructions, and the five predefined + numeric character references.
import { InputError } from '../errors';

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: Array<XmlElement | string>;
}

/** Escapes text for element content or a double-quoted attribute; drops characters XML 1.0 forbids. */
export function escapeXml(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    const v = ENTITIES[e];
    if (v === undefined) throw new InputError('XML_ENTITY', `unknown XML entity ${m}`);
    return v;
  });
}

/** Parses a document and returns its root element. Throws InputError with the offset on malformed input. */
export function parseXml(text: string): XmlElement {
  let i = 0;
  const fail = (msg: string): never => {
    throw new InputError('XML_MALFORMED', `malformed XML at offset ${i}: ${msg}`, { offset: i });
  };
  const stack: XmlElement[] = [{ name: '#document', attrs: {}, children: [] }];
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = text.slice(i, lt === -1 ? text.length : lt);
    if (chunk.length) {
      if (stack.length === 1) {
        if (chunk.trim()) fail('text outside the root element');
      } else stack[stack.length - 1]!.children.push(unescapeXml(chunk));
    }
    if (lt === -1) break;
    i = lt;
    if (text.startsWith('<!--', i)) {
      const e = text.indexOf('-->', i);
      if (e < 0) fail('unterminated comment');
      i = e + 3;
    } else if (text.startsWith('<![CDATA[', i)) {
      const e = text.indexOf(']]>', i);
      if (e < 0) fail('unterminated CDATA');
      stack[stack.length - 1]!.children.push(text.slice(i + 9, e));
      i = e + 3;
    } else if (text.startsWith('<?', i)) {
      const e = text.indexOf('?>', i);
      if (e < 0) fail('unterminated processing instruction');
      i = e + 2;
    } else if (text.startsWith('<!', i)) {
      fail('DOCTYPE and declarations are not accepted');
    } else if (text[i + 1] === '/') {
      const e = text.indexOf('>', i);
      const name = text.slice(i + 2, e).trim();
      const open = stack.pop();
      if (!open || open.name !== name || stack.length === 0) fail(`unexpected </${name}>`);
      i = e + 1;
    } else {
      const m = /^<([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(text.slice(i, i + 65536));
      if (!m) fail('bad start tag');
      const attrs: Record<string, string> = {};
      for (const a of m![2]!.matchAll(/([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs[a[1]!] = unescapeXml(a[2] ?? a[3] ?? '');
      const el: XmlElement = { name: m![1]!, attrs, children: [] };
      if (stack.length === 1 && stack[0]!.children.length) fail('second root element');
      stack[stack.length - 1]!.children.push(el);
      if (!m![3]) stack.push(el);
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
