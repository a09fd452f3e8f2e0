// `lensdesk fit --source sersic|sersic+shapelets[:NMAX]` (issue 18, a source with more structure): option parsing,
// the model it selects, and the 'source' report (n_max, number of shapelet amplitudes, χ² with and without them).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSyntheticLensFits } from '../../../test/lens-fit-fixture';
import { fitCommand, parseSourceOption } from './fit';

const dir = mkdtempSync(join(tmpdir(), 'lensdesk-fit-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = join(dir, 'lens.fits');
writeSyntheticLensFits(path, { size: 21, bands: ['g', 'i'], seed: 3 });

async function run(args: string[]) {
  const out: string[] = [], err: string[] = [];
  const code = await fitCommand.run([path, '--workers', '0', '--max-seconds', '0', ...args], {
    out: (t: string) => out.push(t), err: (t: string) => err.push(t), progress: () => {}, signal: new AbortController().signal,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('lensdesk fit --source', () => {
  it('parses sersic, sersic+shapelets and sersic+shapelets:N; rejects anything else', () => {
    expect(parseSourceOption(undefined)).toBeUndefined();
    expect(parseSourceOption('sersic')).toBeUndefined();
    expect(parseSourceOption('sersic+shapelets')).toBe(4);
    expect(parseSourceOption('sersic+shapelets:0')).toBe(0);
    expect(parseSourceOption('sersic+shapelets:7')).toBe(7);
    for (const bad of ['shapelets', 'sersic+shapelets:13', 'sersic+shapelets:-1', 'sersic+shapelets:2.5', 'sersic+shapelets:', 'Sersic'])
      expect(() => parseSourceOption(bad), bad).toThrow(/--source must be sersic or sersic\+shapelets/);
  });

  it('refuses shapelets with the 12-parameter sie model', async () => {
    await expect(run(['--model', 'sie', '--source', 'sersic+shapelets', '--json'])).rejects.toThrow(/needs --model ext, sie\+ps or auto/);
  });

  it('JSON: shapelets select ext, count in p, and report χ² at the MAP with and without them', async () => {
    const { code, out, err } = await run(['--source', 'sersic+shapelets:2', '--json']);
    expect(code).toBe(0);
    const j = JSON.parse(out);
    expect(j.model).toBe('ext');
    expect(err).toMatch(/source Sérsic \+ shapelets n_max 2/);
    expect(j.source.kind).toBe('sersic+shapelets');
    expect(j.source.nMax).toBe(2);
    expect(j.source.shapeletAmplitudes).toBe(6 * 2);
    // N − p: 2 × 21² pixels, 17 non-linear parameters, per band source + lens light + 6 shapelets.
    expect(j.chi2Expected.mean).toBe(2 * 441 - (17 + 2 * 8));
    expect(j.source.mapChi2).toBe(j.map.chi2);
    // Removing the shapelets (the rest re-solved) cannot lower χ² (the joint solve includes that solution).
    expect(j.source.mapChi2WithoutShapelets).toBeGreaterThanOrEqual(j.source.mapChi2);
    expect(Object.keys(j.params)).toHaveLength(17);
  }, 60_000);

  it('default: the Sérsic source, unchanged model; text output names the shapelets when asked', async () => {
    const plain = JSON.parse((await run(['--json'])).out);
    expect(plain.model).toBe('sie');
    expect(plain.source).toEqual({ kind: 'sersic' });
    const text = await run(['--model', 'ext', '--source', 'sersic+shapelets']);
    expect(text.out).toMatch(/source: Sérsic \+ shapelets n_max 4 \(30 signed amplitudes\); χ² at the MAP \S+ with them, \S+ with them removed/);
  }, 60_000);
});
