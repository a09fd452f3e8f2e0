import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../command';
import { metricsCommand } from './metrics';

const dir = mkdtempSync(join(tmpdir(), 'lensdesk-metrics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(): CliIO & { stdout: string[] } {
  const stdout: string[] = [];
  return { stdout, out: (t) => stdout.push(t), err: () => undefined, progress: () => undefined, signal: new AbortController().signal };
}
function csv(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('lensdesk metrics', () => {
  it('--json gives the documented fields; values by hand', async () => {
    // pos 0.9, 0.5, 0.3; neg 0.9, 0.3 → AUROC = 3/6 (hand count: ties ½)
    const f = csv('a.csv', '# scores from a test\nid,label,score\na,1,0.9\nb,0,0.9\nc,1,0.5\n"d,x",0,0.3\ne,1,0.3\n');
    const o = io();
    expect(await metricsCommand.run(['--scores', f, '--json', '--k', '1,3', '--roc'], o)).toBe(0);
    const r = JSON.parse(o.stdout[0]!);
    expect(r).toMatchObject({ n: 5, nPositive: 3, nNegative: 2, auroc: 0.5, tpr0: 0, tpr10: 1, fprAtTpr50: 0.5 });
    expect(r.precisionAtK).toEqual({ '1': 0.5, '3': 2 / 3 });
    expect(r.roc.thresholds[0]).toBeNull(); // +Infinity is not JSON
    expect(r.calibration.bins.length).toBeGreaterThan(0);
  });
  it('bad input names the file, line and column', async () => {
    const f = csv('bad.csv', 'label,score\n1,0.2\n0,abc\n');
    await expect(metricsCommand.run(['--scores', f], io())).rejects.toThrow(/bad\.csv: line 3, column 'score': 'abc' is not a finite number/);
    const g = csv('bad2.csv', 'label,score\n2,0.2\n');
    await expect(metricsCommand.run(['--scores', g], io())).rejects.toThrow(/bad2\.csv: line 2, column 'label'/);
    const h = csv('bad3.csv', 'lab,score\n1,0.2\n');
    await expect(metricsCommand.run(['--scores', h], io())).rejects.toThrow(/no 'label' column .*found: lab, score/);
    await expect(metricsCommand.run(['--scores', join(dir, 'missing.csv')], io())).rejects.toThrow(/cannot read .*missing\.csv/);
  });
});

describe('lensdesk metrics human output', () => {
  it('puts a space between every label and its value, with the JSON keys as the k', async () => {
    // 1200 examples: the top 1000 scores hold 970 positives (hand count), so precision@1000 = 0.97.
    const lines = ['label,score'];
    for (let i = 0; i < 1200; i++) lines.push(`${i < 970 || (i >= 1000 && i < 1010) ? 1 : 0},${(1 - i / 1200).toFixed(6)}`);
    const f = csv('k.csv', lines.join('\n') + '\n');
    const human = io();
    expect(await metricsCommand.run(['--scores', f, '--k', '10,100,1000'], human)).toBe(0);
    const text = human.stdout.join('\n');
    expect(text).toMatch(/^precision@1000 +0\.9700$/m);
    expect(text).toMatch(/^precision@100 +1\.0000$/m);
    expect(text).not.toMatch(/precision@\d+\d\.\d{4}/); // no label glued to its value
    const json = io();
    await metricsCommand.run(['--scores', f, '--k', '10,100,1000', '--json'], json);
    const r = JSON.parse(json.stdout[0]!) as { precisionAtK: Record<string, number> };
    expect(Object.keys(r.precisionAtK)).toEqual(['10', '100', '1000']);
    for (const [k, v] of Object.entries(r.precisionAtK)) expect(text).toMatch(new RegExp(`^precision@${k} +${v.toFixed(4).replace('.', '\\.')}$`, 'm'));
    // Every labelled line: label, at least one space, a number.
    for (const l of text.split('\n').slice(1, 9)) expect(l).toMatch(/^\S+ +\d\.\d{4}$/);
  });
});
