# Writes a FITS file whose WCS has SIP, two CPDIS lookup tables and a D2IM table (astropy.wcs),
# and prints astropy's all_pix2world / all_world2pix at a few pixels as JSON: the reference for
# src-core/wcs/lookup-distortion.ts (test/wcs-lookup-distortion.test.ts runs it).
import json, sys
import numpy as np
from astropy.wcs import WCS, DistortionLookupTable, Sip
out = sys.argv[1]
w = WCS(naxis=2)
w.wcs.ctype = ['RA---TAN-SIP', 'DEC--TAN-SIP']
w.wcs.crval = [150.1, 2.2]
w.wcs.crpix = [512.3, 400.7]
w.wcs.cd = [[-1.1e-5, 2e-7], [3e-7, 1.2e-5]]
a = np.zeros((4, 4)); a[2, 0] = 3e-6; a[0, 2] = -2e-6; a[1, 1] = 1e-6; a[3, 0] = 1e-9
b = np.zeros((4, 4)); b[2, 0] = -1e-6; b[0, 2] = 2.5e-6; b[1, 1] = -3e-7; b[0, 3] = 2e-9
w.sip = Sip(a, b, None, None, w.wcs.crpix)
rng = np.random.default_rng(7)
# Full-resolution tables (CDELT 1): astropy < 6.1 maps image → table pixels with "− 1/CDELT" where
# the standard and astropy >= 6.1 (PR 16163) use "− 1"; the two agree only when CDELT is 1.
yy, xx = np.mgrid[0:800, 0:1024]
t1 = (0.3 * np.sin(xx / 97.0) * np.cos(yy / 61.0) + rng.normal(size=xx.shape) * 0.01).astype(np.float32)
t2 = (0.2 * np.cos(xx / 53.0 + yy / 89.0) + rng.normal(size=xx.shape) * 0.01).astype(np.float32)
w.cpdis1 = DistortionLookupTable(t1, (1.0, 1.0), (1.0, 1.0), (1.0, 1.0))
w.cpdis2 = DistortionLookupTable(t2, (2.0, 1.5), (0.0, 3.0), (1.0, 1.0))
d1 = (rng.normal(size=(1, 1024)) * 0.05).astype(np.float32)
w.det2im1 = DistortionLookupTable(d1, (1.0, 1.0), (1.0, 1.0), (1.0, 1.0))
hdul = w.to_fits(relax=True)
hdul.writeto(out, overwrite=True)
from astropy.io import fits
w2 = WCS(fits.getheader(out), fits.open(out))
pts = [(0, 0), (1023, 0), (0, 799), (1023, 799), (511.5, 399.5), (100.25, 700.75), (900.9, 10.1), (-5.0, 850.0), (333.3, 444.4)]
res = []
for x, y in pts:
    ra, dec = w2.all_pix2world([[x, y]], 0)[0]
    ra0, dec0 = w2.wcs_pix2world([[x, y]], 0)[0]
    bx, by = w2.all_world2pix([[ra, dec]], 0, tolerance=1e-12, maxiter=100)[0]
    res.append({'pixel': [x, y], 'world': [ra, dec], 'world_no_distortion': [ra0, dec0], 'back': [bx, by]})
print(json.dumps(res))
