// Card parsing rules (FITS 4.0 §4) on hand-written cards; the astropy reference comparison of real
// headers is in reference.test.ts.
import { describe, expect, it } from 'vitest';
import { FitsHeader, parseCardImage, parseHeaderText } from './header';

const card = (s: string) => s.padEnd(80, ' ');
function one(s: string) {
  const w: string[] = [];
  const p = parseCardImage(card(s), (m) => w.push(m));
  return { ...p, w };
}

describe('parseCardImage', () => {
  it('strings: quotes doubled, trailing blanks dropped, leading kept, comment after /', () => {
    const p = one("OBJECT  = 'O''Brien /x  '   / the name");
    expect(p.value).toBe("O'Brien /x");
    expect(p.comment).toBe('the name');
    expect(one("A       = '  lead'").value).toBe('  lead');
    expect(one("A       = ''").value).toBe('');
    expect(one("A       = '        '").value).toBe('');
  });
  it('logical, integer, bigint, floats with D exponent, complex, undefined', () => {
    expect(one('L       =                    T').value).toBe(true);
    expect(one('L       =                    F / no').value).toBe(false);
    expect(one('I       =                  -42').value).toBe(-42);
    const big = one('BIG     = 123456789012345678901');
    expect(big.value).toBe(123456789012345678901n);
    expect(big.type).toBe('integer');
    expect(one('SAFE    =     9007199254740991').value).toBe(9007199254740991);
    expect(one('D       =             1.5D-03').value).toBe(0.0015);
    expect(one('E       =               -2.E+2').value).toBe(-200);
    expect(one('F       =                  .25').value).toBe(0.25);
    const f = one('F       =                  1.0');
    expect([f.value, f.type]).toEqual([1, 'float']);
    expect(one('C       = (1.5, -2D0)').value).toEqual([1.5, -2]);
    const u = one('U       =                      / undefined value');
    expect([u.value, u.type, u.comment]).toEqual([null, 'undefined', 'undefined value']);
  });
  it('COMMENT / HISTORY / blank keyword keep their text from column 9', () => {
    expect(one('COMMENT   some text   ').value).toBe('  some text');
    expect(one('HISTORY = not a value').value).toBe('= not a value');
    expect(one("        = '        '").keyword).toBe('');
  });
  it('HIERARCH keywords lose the prefix', () => {
    const p = one("HIERARCH ESO DET CHIP-NAME = 'CCD 1' / chip");
    expect([p.keyword, p.value, p.hierarch, p.comment]).toEqual(['ESO DET CHIP-NAME', 'CCD 1', true, 'chip']);
  });
  it('is lenient: warns and keeps text for unparsable values and lower-case keywords', () => {
    const p = one('SKEW    = -1.38E+00, -1.69E+00 /Measure of skew');
    expect(p.type).toBe('unparsable');
    expect(p.value).toBe('-1.38E+00, -1.69E+00');
    expect(p.w.length).toBe(1);
    const q = one('naxis   =                    2');
    expect([q.keyword, q.value]).toEqual(['NAXIS', 2]);
    expect(q.w.join()).toMatch(/upper case/);
    const r = one("S       = 'unterminated");
    expect(r.value).toBe('unterminated');
    expect(r.w.join()).toMatch(/closing quote/);
  });
});

describe('FitsHeader', () => {
  const h = FitsHeader.fromCardImages([
    card('SIMPLE  =                    T'),
    card("LONG    = 'abc&'  / part one"),
    card("CONTINUE  'def''&'"),
    card("CONTINUE  'ghi' / part three"),
    card('NAXIS   =                    0'),
    card('COMMENT first'),
    card('COMMENT second'),
    card('NAXIS   =                    5'),
  ]);
  it('merges CONTINUE cards into one long string and keeps file order', () => {
    expect(h.get('LONG')).toBe("abcdef'ghi");
    expect(h.card('LONG')!.comment).toBe('part one part three');
    expect(h.card('LONG')!.span).toBe(3);
    expect(h.cards.map((c) => c.keyword)).toEqual(['SIMPLE', 'LONG', 'NAXIS', 'COMMENT', 'COMMENT', 'NAXIS']);
  });
  it('first duplicate wins (with a warning); getters are typed', () => {
    expect(h.get('NAXIS')).toBe(0);
    expect(h.warnings.join()).toMatch(/duplicate keyword NAXIS/);
    expect(h.getAll('COMMENT').map((c) => c.value)).toEqual(['first', 'second']);
    expect(h.getNumber('NAXIS')).toBe(0);
    expect(h.getNumber('LONG')).toBeUndefined();
    expect(h.getNumber('MISSING', 7)).toBe(7);
    expect(h.getString('LONG')).toBe("abcdef'ghi");
    expect(h.getBoolean('SIMPLE')).toBe(true);
    expect(h.has('naxis')).toBe(true);
    expect(h.has('NOPE')).toBe(false);
  });
  it('parseHeaderText: 80-byte cards without newlines and without END', () => {
    const text = [card('CTYPE1  = \'RA---TAN\''), card('CRPIX1  =                 10.5'), card('')].join('');
    const hh = parseHeaderText(text);
    expect(hh.hasEnd).toBe(false);
    expect(hh.get('CRPIX1')).toBe(10.5);
    expect(hh.cards).toHaveLength(2);
    const nl = parseHeaderText("CTYPE1  = 'RA---TAN'\nCRPIX1  = 3\nEND\n");
    expect(nl.hasEnd).toBe(true);
    expect(nl.get('CRPIX1')).toBe(3);
  });
});
