// ASCII spellings for text that must be printable ASCII: FITS header values and comments (FITS 4.0
// §4.1.2.3 allows only 0x20–0x7E) and FITS character columns. A plain '?' for every non-ASCII
// character turned "0–3" into "0?3" and "θE ≥ 1″" into "?E ? 1?"; a reader should see "0-3" and
// "thetaE >= 1 arcsec". Known symbols are spelled out, accented letters lose their accents (NFKD,
// then the combining marks are dropped), anything else becomes '?'.

const SYMBOLS: Record<string, string> = {
  '–': '-', '—': '-', '−': '-', '‐': '-', '‑': '-', '‒': '-',
  '‘': "'", '’': "'", '‚': "'", '“': '"', '”': '"', '„': '"', '′': "'", '″': '"',
  '…': '...', '·': '.', '•': '*', '×': 'x', '÷': '/', '±': '+/-', '∓': '-/+',
  '≥': '>=', '≤': '<=', '≠': '!=', '≈': '~', '∼': '~', '→': '->', '←': '<-', '↔': '<->', '⇒': '=>',
  '°': ' deg', '∞': 'inf', '√': 'sqrt', '∑': 'sum', 'Σ': 'Sigma', '∝': 'propto', '²': '^2', '³': '^3', '¹': '^1',
  '½': '1/2', '¼': '1/4', '¾': '3/4', '€': 'EUR', '£': 'GBP', '©': '(c)', '®': '(R)', '\u00a0': ' ', '\u2009': ' ', '\u202f': ' ',
  'α': 'alpha', 'β': 'beta', 'γ': 'gamma', 'δ': 'delta', 'ε': 'epsilon', 'ζ': 'zeta', 'η': 'eta', 'θ': 'theta',
  'ι': 'iota', 'κ': 'kappa', 'λ': 'lambda', 'μ': 'mu', 'µ': 'mu', 'ν': 'nu', 'ξ': 'xi', 'π': 'pi', 'ρ': 'rho',
  'σ': 'sigma', 'τ': 'tau', 'υ': 'upsilon', 'φ': 'phi', 'χ': 'chi', 'ψ': 'psi', 'ω': 'omega',
  'Γ': 'Gamma', 'Δ': 'Delta', 'Θ': 'Theta', 'Λ': 'Lambda', 'Ξ': 'Xi', 'Π': 'Pi', 'Φ': 'Phi', 'Ψ': 'Psi', 'Ω': 'Omega',
  'ß': 'ss', 'æ': 'ae', 'Æ': 'AE', 'ø': 'o', 'Ø': 'O', 'đ': 'd', 'Đ': 'D', 'ł': 'l', 'Ł': 'L', 'œ': 'oe', 'Œ': 'OE', 'þ': 'th', 'Þ': 'Th',
};

/** Printable-ASCII spelling of s (tabs and newlines become spaces). */
export function toAscii(s: string): string {
  // A hat over a letter is an estimator (R̂ = split R-hat, Vehtari et al. 2021): keep the meaning.
  const hatted = s.replace(/([A-Za-z])\u0302/g, '$1-hat');
  let out = '';
  for (const ch of hatted) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x20 && c <= 0x7e) out += ch;
    else if (ch === '\t' || ch === '\n' || ch === '\r') out += ' ';
    else if (SYMBOLS[ch] !== undefined) out += SYMBOLS[ch];
    else {
      const base = ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
      out += [...base].every((b) => b.codePointAt(0)! >= 0x20 && b.codePointAt(0)! <= 0x7e) && base ? base : '?';
    }
  }
  return out;
}
