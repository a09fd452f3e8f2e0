// Where an export requested through the API (the window or browser mode) may be written. The
// renderer is the less trusted side of the contract (issue #20: a stolen token could write any
// absolute path, silently overwriting it), so API exports go to the workspace's exports/ folder
// under a plain file name, and an existing file is replaced only when the request says so
// explicitly (the UI asks first). The CLI, run by the user in a shell, may still write anywhere.
import { join } from 'node:path';
import { InputError } from '../../src-core/errors';

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._ -]{0,127}$/;

/** Rewrites `params.out` of an API export to `<workspace>/exports/<name>`; refuses paths. */
export function confineApiExport(params: Record<string, unknown>, workspaceDir: string): Record<string, unknown> {
  const out = params.out;
  if (out === undefined || out === null || out === '') {
    const { out: _drop, ...rest } = params;
    return rest;
  }
  if (typeof out !== 'string' || !FILE_NAME.test(out) || out.includes('..')) {
    throw new InputError(
      'EXPORT_PATH_REFUSED',
      `exports from the app are written to the workspace's exports/ folder: give a file name (letters, digits, . _ - space), not a path (got ${JSON.stringify(String(out).slice(0, 200))}); use \`lensdesk export --out PATH\` to write elsewhere`,
      { field: 'params.out' },
    );
  }
  return { ...params, out: join(workspaceDir, 'exports', out) };
}
