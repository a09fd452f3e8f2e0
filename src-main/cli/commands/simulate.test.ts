// `lensdesk simulate` end to end through the worker pool: chunks, resume, refusal to mix sets.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src-core/errors';
import type { CliIO } from '../command';
import { simulateCommand } from './simulate';

const dir = mkdtempSync(join(tmpdir(), 'lensdesk-sim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(): CliIO & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (t) => lines.push(t), err: () => {}, progress: () => {}, signal: new AbortController().signal };
}
const md5 = (f: string) => createHash('md5').update(readFileSync(f)).digest('hex');

describe('lensdesk simulate', () => {
  it('writes chunks, resumes a missing one byte-identically, refuses other settings', async () => {
    const args = ['--preset', 'lsst', '--n', '30', '--chunk', '10', '--out', dir, '--seed', '5', '--workers', '2', '--json'];
    const a = io();
    expect(await simulateCommand.run(args, a)).toBe(0);
    expect(JSON.parse(a.lines[0]).written).toBe(30);
    const files = readdirSync(dir).filter((f) => f.endsWith('.fits')).sort();
    expect(files).toEqual(['cutouts-00-09.fits', 'cutouts-10-19.fits', 'cutouts-20-29.fits']);
    const before = md5(join(dir, files[1]));
    rmSync(join(dir, files[1]));
    const b = io();
    expect(await simulateCommand.run(args, b)).toBe(0);
    expect(JSON.parse(b.lines[0])).toMatchObject({ written: 10, skipped: 20 });
    expect(md5(join(dir, files[1]))).toBe(before);
    await expect(simulateCommand.run(['--n', '30', '--chunk', '10', '--out', dir, '--seed', '6'], io())).rejects.toBeInstanceOf(InputError);
  });
});
