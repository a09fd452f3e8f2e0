// The XML reader SAMP's XML-RPC path uses on messages from other programs: well-formedness
// errors that the old reader let through (bare '&', unknown or illegal references, '<' in an
// attribute, duplicate attributes), DTD refusal, and the limits on size, depth and attributes.
import { describe, expect, it } from 'vitest';
import { childElements, escapeXml, parseXml, textOf, unescapeXml } from './xml';

describe('escapeXml / unescapeXml', () => {
  it('round-trips markup characters, non-ASCII and astral characters', () => {
    const s = `a<b>&"c'd é θ ≥ 😀`;
    expect(unescapeXml(escapeXml(s))).toBe(s);
    expect(escapeXml('<&>"\'')).toBe('&lt;&amp;&gt;&quot;&apos;');
  });
  it('replaces characters XML 1.0 cannot carry (controls, lone surrogates) by U+FFFD', () => {
    expect(escapeXml('a\u0001b\ud800c\udc00d\ufffe')).toBe('a\ufffdb\ufffdc\ufffdd\ufffd');
    expect(escapeXml('\t\n\r')).toBe('\t\n\r');
  });
  it('numeric references: decimal, hex, astral; refuses what XML 1.0 forbids', () => {
    expect(unescapeXml('&#65;&#x42;&#x1F600;')).toBe('AB😀');
    expect(() => unescapeXml('&#0;')).toThrow(/not a character XML 1.0 allows/);
    expect(() => unescapeXml('&#xD800;')).toThrow(/not a character/);
    expect(() => unescapeXml('&#x110000;')).toThrow(/not a character/);
  });
  it('a bare & or an unknown entity is an error naming the offset', () => {
    expect(() => parseXml('<a>x & y</a>')).toThrow(/offset 5: '&' must start a reference/);
    expect(() => parseXml('<a>&nbsp;</a>')).toThrow(/unknown entity &nbsp; \(DTD entities are not expanded\)/);
    expect(() => parseXml('<a t="&AMP;"/>')).toThrow(/unknown entity/);
  });
});

describe('parseXml', () => {
  it('reads elements, attributes, text, CDATA; skips comments and PIs', () => {
    const r = parseXml(`<?xml version='1.0'?><!-- c --><r a="1" b='x &amp; y'><c>t&lt;<![CDATA[<raw>]]></c><d/></r>`);
    expect(r.attrs).toEqual({ a: '1', b: 'x & y' });
    expect(textOf(childElements(r, 'c')[0]!)).toBe('t<<raw>');
    expect(childElements(r).map((e) => e.name)).toEqual(['c', 'd']);
  });
  it('refuses any DTD (so no entity expansion, no external entities)', () => {
    expect(() => parseXml('<!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>')).toThrow(/DOCTYPE and declarations are not accepted/);
    expect(() => parseXml('<r><!ENTITY x "y"></r>')).toThrow(/not accepted/);
  });
  it('well-formedness: mismatched or stray end tags, duplicate attributes, < in attribute values, two roots', () => {
    expect(() => parseXml('<a><b></a></b>')).toThrow(/unexpected <\/a> \(open element is <b>\)/);
    expect(() => parseXml('<a></a></a>')).toThrow(/unexpected <\/a>/);
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow(/duplicate attribute x/);
    expect(() => parseXml('<a x="<b>"/>')).toThrow(/bad start tag/);
    expect(() => parseXml('<a/><b/>')).toThrow(/second root/);
    expect(() => parseXml('<a>')).toThrow(/unclosed <a>/);
    expect(() => parseXml('text')).toThrow(/outside the root/);
  });
  it('limits: document length, nesting depth, attributes per element', () => {
    expect(() => parseXml('<a>' + 'x'.repeat(100) + '</a>', { maxLength: 50 })).toThrow(/exceeds the limit of 50/);
    const deep = (n: number) => '<a>'.repeat(n) + '</a>'.repeat(n);
    expect(parseXml(deep(256)).name).toBe('a');
    expect(() => parseXml(deep(257))).toThrow(/nested deeper than 256/);
    expect(() => parseXml(deep(10_000))).toThrow(/nested deeper/); // no stack overflow in callers
    const attrs = Array.from({ length: 300 }, (_, i) => `a${i}="${i}"`).join(' ');
    expect(() => parseXml(`<r ${attrs}/>`)).toThrow(/more than 256 attributes/);
  });
  it('parses a large flat document (20k elements)', () => {
    const body = '<v><string>x</string></v>'.repeat(20_000);
    const r = parseXml(`<data>${body}</data>`);
    expect(childElements(r)).toHaveLength(20_000);
  });
});
