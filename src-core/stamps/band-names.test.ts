// The survey-filter table of band-names.ts, checked against how each survey writes its filters:
// HSC (Kawanomoto et al. 2018: HSC-G … HSC-Y, HSC-R2/I2 replacements), DECam image headers
// ('g DECam SDSS c0001 4720.0 1520.0'), SDSS primes, LSST, Euclid VIS/NISP, HST ACS/WFC3 F-numbers.
import { describe, expect, it } from 'vitest';
import { isPlaceholderBand, normaliseBandName, parseBandList } from './band-names';

describe('normaliseBandName', () => {
  it.each([
    ['HSC-G', 'g'], ['HSC-R', 'r'], ['HSC-R2', 'r'], ['HSC-I', 'i'], ['HSC-I2', 'i'], ['HSC-Z', 'z'], ['HSC-Y', 'y'],
    ['DECam g', 'g'], ['g DECam SDSS c0001 4720.0 1520.0', 'g'], ['z DECam SDSS c0004 9260.0 1520.0', 'z'], ['Y DECam c0005 10095.0 1130.0', 'Y'],
    ["r'", 'r'], ["SDSS r'", 'r'], ['r_SDSS', 'r'], ['sdss_i', 'i'], ['SDSS-Z', 'z'],
    ['LSST-r', 'r'], ['lsst_u', 'u'], ['LSST y', 'y'], ['LSST-Y', 'y'], ['DES Y', 'Y'], ['Y', 'Y'], ['y', 'y'],
    ['VIS', 'VIS'], ['Euclid VIS', 'VIS'], ['NISP-Y', 'Y'], ['NIR_J', 'J'], ['Euclid H', 'H'],
    ['F814W', 'F814W'], ['f160w', 'F160W'], ['ACS F606W', 'F606W'], ['WFC3/F110W', 'F110W'], ['F350LP', 'F350LP'],
    ['G', 'g'], ['IMAGE_G', 'g'], ['SCI_R', 'r'], ['r', 'r'], ['  i ', 'i'], ['z', 'z'],
    ['band3', 'band3'], ['Halpha', 'Halpha'],
  ])('%s → %s', (raw, want) => {
    expect(normaliseBandName(raw)).toBe(want);
  });
});

describe('parseBandList', () => {
  it('splits commas, semicolons, spaces and a run of optical letters, normalising each', () => {
    expect(parseBandList('g,r,i,z')).toEqual(['g', 'r', 'i', 'z']);
    expect(parseBandList(' g ; r ; i ')).toEqual(['g', 'r', 'i']);
    expect(parseBandList('g r i z')).toEqual(['g', 'r', 'i', 'z']);
    expect(parseBandList('griz')).toEqual(['g', 'r', 'i', 'z']);
    expect(parseBandList('HSC-G,HSC-R2,HSC-I2,HSC-Z')).toEqual(['g', 'r', 'i', 'z']);
    expect(parseBandList('F606W,F814W')).toEqual(['F606W', 'F814W']);
    expect(parseBandList('')).toEqual([]);
  });
  it('tells placeholders from band names', () => {
    expect(isPlaceholderBand('band1')).toBe(true);
    expect(isPlaceholderBand('g')).toBe(false);
  });
});
