# Writes FITS cutouts whose band names sit in the keywords surveys use, with astropy, for
# src-main/stamps/band-keywords-astropy.test.ts. Plane k of every file is filled with 10*(k+1) + a
# ramp, so the test can tell which plane a band name landed on. argv[1]: output folder.
import sys, os
import numpy as np
from astropy.io import fits

out = sys.argv[1]
N = 45
ramp = (np.arange(N * N, dtype='f4').reshape(N, N) / (N * N))

def cube(n):
    return np.stack([ramp + 10 * (k + 1) for k in range(n)]).astype('f4')

def prim(data=None, **kw):
    h = fits.Header()
    for k, v in kw.items():
        h[k] = v
    return fits.PrimaryHDU(data, h)

def img(k, **kw):
    h = fits.Header()
    for key, v in kw.items():
        h[key] = v
    return fits.ImageHDU((ramp + 10 * (k + 1)).astype('f4'), h)

def w(name, hdus):
    fits.HDUList(hdus).writeto(os.path.join(out, name), overwrite=True)

w('cube-bands.fits', [prim(cube(4), BANDS='g,r,i,z', PIXSCALE=0.2)])
w('cube-filters.fits', [prim(cube(4), FILTERS='g,r,i,z', PIXSCALE=0.2)])
w('cube-filtern.fits', [prim(cube(4), FILTER1='HSC-G', FILTER2='HSC-R2', FILTER3='HSC-I2', FILTER4='HSC-Z')])
w('cube-bandn.fits', [prim(cube(3), BAND1='u', BAND2='g', BAND3='r')])
w('perhdu-filter.fits', [prim(), img(0, FILTER='DECam g'), img(1, FILTER='LSST-r'), img(2, FILTER="SDSS i'"), img(3, FILTER='z_SDSS')])
w('perhdu-decam.fits', [prim(), img(0, FILTER='g DECam SDSS c0001 4720.0 1520.0'), img(1, FILTER='Y DECam c0005 10095.0 1130.0')])
w('perhdu-extname.fits', [prim(), img(0, EXTNAME='G'), img(1, EXTNAME='IMAGE_R'), img(2, EXTNAME='i'), img(3, EXTNAME='Z')])
w('perhdu-band.fits', [prim(), img(0, BAND='VIS'), img(1, BAND='NISP-H')])
w('hst-acs.fits', [prim(FILTER1='CLEAR1L', FILTER2='F814W', INSTRUME='ACS'), img(0, EXTNAME='SCI')])
w('primary-list.fits', [prim(FILTERS='r,i,z'), img(0), img(1), img(2)])
w('nonames.fits', [prim(cube(4))])
w('count-mismatch.fits', [prim(cube(4), FILTERS='g,r,i')])
w('filtern-partial.fits', [prim(cube(4), FILTER1='g', FILTER2='r')])
w('duplicate.fits', [prim(cube(2), FILTERS='HSC-I,HSC-I2')])
w('perhdu-partial.fits', [prim(), img(0, FILTER='g'), img(1)])
w('two-filters.fits', [prim(cube(2), FILTERS='g,r')])
w('chunk-filters.fits', [prim(np.stack([cube(4)] * 3), FILTERS='LSST-g,LSST-r,LSST-i,LSST-z')])
print('ok')
