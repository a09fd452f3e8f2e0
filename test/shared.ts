// Locates ../shared (the read-only reference data beside the checkout). A user's clone has none:
// tests that need it skip with the reason; CI always has it.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const PROJECT_ROOT = resolve(here, '..');
export const SHARED_DIR = process.env.LENSDESK_SHARED ?? resolve(PROJECT_ROOT, '..', 'shared');
export const FITS_DIR = join(SHARED_DIR, 'data', 'fits');
export const HAS_SHARED = existsSync(FITS_DIR);
export const SHARED_SKIP_REASON = `../shared is absent (looked in ${SHARED_DIR}); reference-data tests skipped`;
if (!HAS_SHARED) console.warn(SHARED_SKIP_REASON);
export const sharedFits = (name: string): string => join(FITS_DIR, name);
