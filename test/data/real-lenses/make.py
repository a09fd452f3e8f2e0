#!/usr/bin/python3
"""Builds test/data/real-lenses/ from two public, permissively licensed repositories (see README.md).

Run with Debian's python3 (numpy, astropy) after the LensDesk `fetch` tool has mirrored
  github:dangilman/samana            (MIT; HST imaging of quadruply imaged quasars as numpy literals)
  github:GalSim-developers/GalSim    (BSD-3-Clause; real HST galaxies in GalSim's real-galaxy format)
  /usr/bin/python3 test/data/real-lenses/make.py /work/.mirror/dangilman+samana/repo /work/.mirror/GalSim-developers+GalSim/repo

The arrays are parsed with ast.literal_eval (the fetched modules are never executed). Pixels are copied
unchanged (float32); the header gets a TAN WCS built from the repository's pixel→angle matrix
(lenstronomy's `transform_pix2angle`, arcsec per pixel, RA offset positive to the east) and the lens
position, BUNIT/EXPTIME from its `kwargs_data`, and the provenance (repository, path, commit, blob).
"""
import ast, hashlib, json, subprocess, sys
from pathlib import Path
import numpy as np
from astropy.io import fits

OUT = Path(__file__).resolve().parent
SAMANA, GALSIM = sys.argv[1], sys.argv[2]

def git(repo, *args, text=True):
    return subprocess.run(['git', f'--git-dir={repo}', *args], capture_output=True, check=True, text=text).stdout

def show(repo, path):
    return git(repo, 'show', f'HEAD:{path}', text=False)

def blob(repo, path):
    return git(repo, 'rev-parse', f'HEAD:{path}').strip()

def literal_arrays(src):
    out = {}
    for node in ast.parse(src).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and node.value.args:
            try:
                out[node.targets[0].id] = np.array(ast.literal_eval(node.value.args[0]), dtype=np.float64)
            except (ValueError, SyntaxError):
                pass
    return out

SAMANA_COMMIT = git(SAMANA, 'rev-parse', 'HEAD').strip()
GALSIM_COMMIT = git(GALSIM, 'rev-parse', 'HEAD').strip()

# Per system: samana image module, the HST branch of its Data class (pixel→angle matrix, origin, background
# rms, exposure time, as written there), sky position, instrument as inferred from the pixel scale and
# exposure (see README), and the literature / estimated Einstein radius.
# pix = [[dRA/dx, dRA/dy], [dDec/dx, dDec/dy]] in arcsec/pixel; origin = (RA, Dec) offsets of pixel (0, 0).
LENSES = json.loads((OUT / 'systems.json').read_text())

manifest = {'format': 'lensdesk-real-lenses/1', 'lenses': [], 'nonLenses': []}
for s in LENSES:
    files = []
    for band in s['bands']:
        path = f"samana/Data/ImageData/{band['module']}"
        arrs = literal_arrays(show(SAMANA, path).decode())
        img = arrs['image_data'].astype(np.float32)
        psf = arrs.get('psf_model')
        M = np.array(band['pix'], dtype=np.float64)
        ra0, dec0 = band['origin']
        # Pixel (x, y) (0-based) sits at offset origin + M @ (x, y); the lens (offset 0, 0) is at -M⁻¹ origin.
        x0, y0 = -np.linalg.solve(M, np.array([ra0, dec0]))
        h = fits.Header()
        h['BUNIT'] = ('ELECTRONS/S', 'drizzled HST count rate (lenstronomy convention)')
        h['EXPTIME'] = (band['exptime'], 's, as used by samana kwargs_data')
        h['TELESCOP'] = 'HST'
        h['INSTRUME'] = band['instrument']
        h['FILTER'] = band['filter']
        h['BANDS'] = band['filter']
        h['OBJECT'] = s['name']
        h['BKGRMS'] = (band['background_rms'], 'e-/s background rms per pixel (samana)')
        h['WCSAXES'] = 2
        h['CTYPE1'], h['CTYPE2'] = 'RA---TAN', 'DEC--TAN'
        h['CRVAL1'], h['CRVAL2'] = s['ra'], s['dec']
        h['CRPIX1'], h['CRPIX2'] = float(x0 + 1), float(y0 + 1)
        h['CD1_1'], h['CD1_2'] = M[0, 0] / 3600, M[0, 1] / 3600
        h['CD2_1'], h['CD2_2'] = M[1, 0] / 3600, M[1, 1] / 3600
        h['RADESYS'] = 'ICRS'
        h['SRCREPO'] = 'github.com/dangilman/samana'
        h['SRCPATH'] = path
        h['SRCCOMIT'] = SAMANA_COMMIT
        h['SRCBLOB'] = blob(SAMANA, path)
        h['LICENSE'] = 'MIT (samana); HST data: public MAST archive'
        name = f"{s['id']}-{band['filter'].lower()}.fits"
        fits.PrimaryHDU(img, h).writeto(OUT / name, overwrite=True)
        entry = {'file': name, 'filter': band['filter'], 'instrument': band['instrument'],
                 'pixelScale': float(np.sqrt(abs(np.linalg.det(M)))), 'shape': list(img.shape),
                 'exptime': band['exptime'], 'backgroundRms': band['background_rms'],
                 'lensPixel': [float(x0), float(y0)], 'source': {'repo': 'dangilman/samana', 'path': path,
                 'commit': SAMANA_COMMIT, 'blob': blob(SAMANA, path), 'license': 'MIT'},
                 'sha256': hashlib.sha256((OUT / name).read_bytes()).hexdigest()}
        if psf is not None:
            pname = f"{s['id']}-{band['filter'].lower()}-psf.fits"
            ph = fits.Header()
            ph['PIXSCALE'] = (entry['pixelScale'], 'arcsec/pixel (same grid as the image)')
            ph['SRCPATH'] = path
            ph['SRCCOMIT'] = SAMANA_COMMIT
            fits.PrimaryHDU((psf / psf.sum()).astype(np.float32), ph).writeto(OUT / pname, overwrite=True)
            entry['psf'] = pname
        files.append(entry)
    ximg, yimg = np.array(s['x_image']), np.array(s['y_image'])
    r = np.hypot(ximg - np.mean(ximg), yimg - np.mean(yimg)) if s.get('centre') == 'images' else np.hypot(ximg, yimg)
    manifest['lenses'].append({k: v for k, v in s.items() if k not in ('bands',)} |
                              {'files': files, 'imageRadiusMean': float(np.mean(r))})

# Real non-lenses: GalSim's test galaxies (HST ACS F814W, 0.03″), flux scale from the catalogue's MAG.
from astropy.table import Table
import io
cats = [('tests/real_comparison_images/AEGIS_F814w_catalog.fits', 'tests/real_comparison_images'),
        ('tests/real_comparison_images/test_catalog.fits', 'tests/real_comparison_images')]
seen = set()
for cat_path, folder in cats:
    cat = Table.read(io.BytesIO(show(GALSIM, cat_path)), format='fits')
    for row in cat:
        ident = int(row['IDENT'])
        if ident in seen:
            continue
        seen.add(ident)
        gpath = f"{folder}/{row['GAL_FILENAME'].strip()}"
        with fits.open(io.BytesIO(show(GALSIM, gpath))) as hd:
            img = hd[int(row['GAL_HDU'])].data.astype(np.float32)
        h = fits.Header()
        h['BUNIT'] = ('', 'GalSim real-galaxy units; AB magnitude in MAG')
        h['MAG'] = (float(row['MAG']), 'F814W AB magnitude (GalSim catalogue)')
        h['PIXSCALE'] = (float(row['PIXEL_SCALE']), 'arcsec/pixel')
        h['NOISEVAR'] = (float(row['NOISE_VARIANCE']), 'pixel noise variance (catalogue)')
        h['TELESCOP'], h['INSTRUME'], h['FILTER'], h['BANDS'] = 'HST', 'ACS/WFC', 'F814W', 'F814W'
        h['OBJECT'] = f'GalSim IDENT {ident}'
        h['SRCREPO'] = 'github.com/GalSim-developers/GalSim'
        h['SRCPATH'] = gpath
        h['SRCHDU'] = int(row['GAL_HDU'])
        h['SRCCOMIT'] = GALSIM_COMMIT
        h['LICENSE'] = 'BSD-3-Clause (GalSim)'
        name = f'nonlens-galsim-{ident}-f814w.fits'
        fits.PrimaryHDU(img, h).writeto(OUT / name, overwrite=True)
        manifest['nonLenses'].append({'id': f'galsim-{ident}', 'file': name, 'mag': float(row['MAG']),
            'pixelScale': float(row['PIXEL_SCALE']), 'shape': list(img.shape), 'filter': 'F814W',
            'instrument': 'ACS/WFC', 'source': {'repo': 'GalSim-developers/GalSim', 'path': gpath,
            'hdu': int(row['GAL_HDU']), 'catalog': cat_path, 'commit': GALSIM_COMMIT,
            'blob': blob(GALSIM, gpath), 'license': 'BSD-3-Clause'},
            'sha256': hashlib.sha256((OUT / name).read_bytes()).hexdigest()})
(OUT / 'manifest.json').write_text(json.dumps(manifest, indent=1) + '\n')
print(len(manifest['lenses']), 'lenses,', len(manifest['nonLenses']), 'non-lenses')
