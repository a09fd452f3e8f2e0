// SAMP 1.3 Standard Profile hub discovery (§3.3, §4.3): the hub writes a lockfile of
// `key=value` lines ('#' comments) with samp.secret, samp.hub.xmlrpc.url, samp.profile.version.
// Its location is $SAMP_HUB when that reads `std-lockurl:<URL>` (only file: URLs are followed
// here: loopback only), otherwise the file ~/.samp.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InputError, NotFoundError } from '../../src-core/errors';

export interface HubInfo {
  secret: string;
  xmlrpcUrl: string;
  profileVersion: string;
  /** Every key in the file (hub name, start time, …). */
  entries: Record<string, string>;
  lockfile: string;
}

export function lockfilePath(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const hub = env.SAMP_HUB;
  if (hub) {
    const m = /^std-lockurl:(.*)$/.exec(hub.trim());
    if (!m) throw new InputError('SAMP_HUB_ENV', `SAMP_HUB='${hub}' is not of the form std-lockurl:<URL>`, { field: 'SAMP_HUB' });
    const url = m[1]!;
    if (!url.startsWith('file:')) throw new InputError('SAMP_HUB_ENV', `SAMP_HUB lock URL ${url} is not a file: URL (only local lockfiles are read)`, { field: 'SAMP_HUB' });
    return fileURLToPath(url);
  }
  return join(home, '.samp');
}

export function parseLockfile(text: string, lockfile = '(lockfile)'): HubInfo {
  const entries: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue; // the spec says other lines are ignored
    entries[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  for (const k of ['samp.secret', 'samp.hub.xmlrpc.url'])
    if (!entries[k]) throw new InputError('SAMP_LOCKFILE', `${lockfile}: no ${k} entry`, { file: lockfile, field: k });
  return { secret: entries['samp.secret']!, xmlrpcUrl: entries['samp.hub.xmlrpc.url']!, profileVersion: entries['samp.profile.version'] ?? '1.0', entries, lockfile };
}

/** Reads the running hub's lockfile; NotFoundError when no hub is running. */
export function readHubInfo(env: NodeJS.ProcessEnv = process.env, home = homedir()): HubInfo {
  const path = lockfilePath(env, home);
  if (!existsSync(path) || !statSync(path).isFile())
    throw new NotFoundError('SAMP_NO_HUB', `no SAMP hub: lockfile ${path} not found (start TOPCAT or another hub)`, { file: path });
  return parseLockfile(readFileSync(path, 'utf8'), path);
}

export function writeLockfile(path: string, secret: string, xmlrpcUrl: string, extra: Record<string, string> = {}): void {
  const lines = ['# SAMP Standard Profile lockfile written by LensDesk test hub', `samp.secret=${secret}`, `samp.hub.xmlrpc.url=${xmlrpcUrl}`, 'samp.profile.version=1.3'];
  for (const [k, v] of Object.entries(extra)) lines.push(`${k}=${v}`);
  writeFileSync(path, lines.join('\n') + '\n', { mode: 0o600 });
}

export const lockUrlFor = (path: string): string => `std-lockurl:${pathToFileURL(path).href}`;
