#!/usr/bin/python3
"""Writes <id>-f814w-qso-mask.fits (default id he0435; usage: make_mask.py [id ...]): 1 = masked, within 0.3″ of
each of the 4 brightest local maxima of <id>-f814w.fits that lie 0.6–2″ from the lens pixel (the quasar images; samana masks 0.3″ too). This is
the documented workaround for a fit model without point sources; it is derived from the image alone."""
import sys
import numpy as np
from astropy.io import fits
from scipy.ndimage import maximum_filter
for sid in sys.argv[1:] or ['he0435']:
    img = fits.getdata(f'{sid}-f814w.fits').astype(float)
    h = fits.getheader(f'{sid}-f814w.fits')
    scale = abs(h['CD1_1']) * 3600
    cx, cy = h['CRPIX1'] - 1, h['CRPIX2'] - 1
    yy, xx = np.indices(img.shape)
    r = np.hypot(xx - cx, yy - cy) * scale
    peaks = (img == maximum_filter(img, size=5)) & (r > 0.6) & (r < 2.0)
    idx = np.argsort(img[peaks])[::-1][:4]
    px, py = xx[peaks][idx], yy[peaks][idx]
    mask = np.zeros(img.shape, dtype=np.uint8)
    for x, y in zip(px, py):
        mask[np.hypot(xx - x, yy - y) * scale < 0.3] = 1
    hm = fits.Header()
    hm['COMMENT'] = f'quasar images of {sid} (4 brightest peaks 0.6-2 arcsec from the lens), radius 0.3 arcsec'
    for k, (x, y) in enumerate(zip(px, py)):
        hm[f'QSO{k + 1}X'], hm[f'QSO{k + 1}Y'] = int(x), int(y)
    fits.PrimaryHDU(mask, hm).writeto(f'{sid}-f814w-qso-mask.fits', overwrite=True)
    print(sid, 'peaks (0-based x, y):', list(zip(px.tolist(), py.tolist())), 'radii', np.round(np.hypot(px - cx, py - cy) * scale, 3), 'masked', mask.sum())
