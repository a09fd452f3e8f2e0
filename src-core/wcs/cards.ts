// Writes a Wcs back as FITS keywords (GC02 forms: CTYPE/CRPIX/CRVAL/CD, PVi_m, LONPOLE/LATPOLE,
// RADESYS/EQUINOX, SIP A/B/AP/BP, or the DSS plate keywords) so that a cutout carries its own
// WCS. Only the celestial pair is written; the linear part is always written as CDi_j.
import type { Wcs } from './wcs';
import type { SipPolynomial } from './params';
import type { CardInput } from '../fits/card-format';

export type WcsCard = [keyword: string, value: string | number];

function sipCards(name: string, p: SipPolynomial | undefined): WcsCard[] {
  if (!p) return [];
  const out: WcsCard[] = [[`${name}_ORDER`, p.order]];
  for (let i = 0; i <= p.order; i++) for (let j = 0; i + j <= p.order; j++) if (p.coeff[i][j] !== 0) out.push([`${name}_${i}_${j}`, p.coeff[i][j]]);
  return out;
}

/** Keywords (primary description, 2 axes: the celestial pair) reproducing `wcs` exactly. */
export function wcsHeaderCards(wcs: Wcs): WcsCard[] {
  const p = wcs.params;
  const { lngAxis: L, latAxis: B } = p;
  const ax = L < B ? [L, B] : [B, L];
  const out: WcsCard[] = [['WCSAXES', 2]];
  ax.forEach((a, i) => out.push([`CTYPE${i + 1}`, p.ctype[a]]));
  ax.forEach((a, i) => out.push([`CRPIX${i + 1}`, p.crpix[a]]));
  ax.forEach((a, i) => out.push([`CRVAL${i + 1}`, p.crval[a]]));
  ax.forEach((a, i) => {
    const u = p.unitToDeg[a];
    if (u !== 1) out.push([`CUNIT${i + 1}`, u === 1 / 60 ? 'arcmin' : u === 1 / 3600 ? 'arcsec' : u === 1 / 3.6e6 ? 'mas' : 'rad']);
  });
  ax.forEach((ai, i) => ax.forEach((aj, j) => out.push([`CD${i + 1}_${j + 1}`, p.cd[ai][aj]])));
  ax.forEach((a, i) => {
    for (const [m, v] of p.pv.get(a + 1) ?? []) out.push([`PV${i + 1}_${m}`, v]);
  });
  if (p.lonpole !== undefined) out.push(['LONPOLE', p.lonpole]);
  if (p.latpole !== undefined) out.push(['LATPOLE', p.latpole]);
  if (p.radesys) out.push(['RADESYS', p.radesys]);
  if (p.equinox !== undefined) out.push(['EQUINOX', p.equinox]);
  if (p.sip) out.push(...sipCards('A', p.sip.a), ...sipCards('B', p.sip.b), ...sipCards('AP', p.sip.ap), ...sipCards('BP', p.sip.bp));
  if (p.dss) {
    const d = p.dss;
    const ra = d.ra0 / 15;
    const dec = Math.abs(d.dec0);
    out.push(
      ['PLTRAH', Math.floor(ra)], ['PLTRAM', Math.floor((ra % 1) * 60)], ['PLTRAS', (((ra % 1) * 60) % 1) * 60],
      ['PLTDECSN', d.dec0 < 0 ? '-' : '+'], ['PLTDECD', Math.floor(dec)], ['PLTDECM', Math.floor((dec % 1) * 60)],
      ['PLTDECS', (((dec % 1) * 60) % 1) * 60], ['PPO3', d.ppo3], ['PPO6', d.ppo6], ['XPIXELSZ', d.xPixelSize],
      ['YPIXELSZ', d.yPixelSize], ['CNPIX1', d.cnpix1], ['CNPIX2', d.cnpix2],
      ...d.amdx.map((v, i): WcsCard => [`AMDX${i + 1}`, v]), ...d.amdy.map((v, i): WcsCard => [`AMDY${i + 1}`, v]),
    );
  }
  return out;
}

const INTEGER_KEYWORDS = /^(WCSAXES|[AB]P?_ORDER|CNPIX[12]|PLTRAH|PLTRAM|PLTDECD|PLTDECM)$/;

/** The same keywords as CardInput for the FITS writer (reals stay reals: '50.0', not '50'). */
export function wcsCardInputs(wcs: Wcs): CardInput[] {
  return wcsHeaderCards(wcs).map(([keyword, value]) =>
    typeof value === 'number' && !INTEGER_KEYWORDS.test(keyword) ? { keyword, value, type: 'float' } : { keyword, value });
}
