import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutputPath, lensDeskSoftware, writeOutputFile } from './samples-file';

const dir = mkdtempSync(join(tmpdir(), 'lensdesk-samples-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--samples output file', () => {
  it('writes atomically, refuses to overwrite unless force, and leaves no temporary file', () => {
    const p = join(dir, 'out.fits');
    writeOutputFile(checkOutputPath(p), Uint8Array.of(1, 2, 3));
    expect([...readFileSync(p)]).toEqual([1, 2, 3]);
    expect(() => writeOutputFile(p, Uint8Array.of(4))).toThrow(`${p} already exists (use --force to overwrite)`);
    expect([...readFileSync(p)]).toEqual([1, 2, 3]);
    writeOutputFile(p, Uint8Array.of(4), { force: true });
    expect([...readFileSync(p)]).toEqual([4]);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('names the path in every refusal', () => {
    mkdirSync(join(dir, 'sub'));
    expect(() => checkOutputPath(join(dir, 'sub'), { force: true })).toThrow(`${join(dir, 'sub')} is a folder`);
    expect(() => checkOutputPath(join(dir, 'missing', 'x.fits'))).toThrow(`folder ${join(dir, 'missing')} does not exist`);
    expect(() => checkOutputPath('')).toThrow(/empty output path/);
    expect(() => checkOutputPath(join(dir, 'x\u001b[2J.fits'))).toThrow(/control characters/);
    writeFileSync(join(dir, 'spaces and ünïcode.fits'), '');
    expect(() => checkOutputPath(join(dir, 'spaces and ünïcode.fits'))).toThrow(/spaces and ünïcode\.fits already exists/);
    expect(checkOutputPath(join(dir, 'spaces and ünïcode.fits'), { force: true })).toBe(join(dir, 'spaces and ünïcode.fits'));
  });

  it('reports the LensDesk version from package.json', () => {
    const v = (JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
    expect(lensDeskSoftware()).toBe(`LensDesk ${v}`);
  });
});
