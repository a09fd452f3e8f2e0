// The 'fit' job end to end on a tiny simulated lens (21 × 21 × 4, well-specified, short chains in this thread): a posterior
// row with draws, summaries and diagnostics, model + residual stamps recorded as cutouts, the contract's
// reads (list, thinned samples, θE per source), resume skipping what is fitted, cancellation, bad params.
import { describe, expect, it } from 'vitest';
import { isAbsolute, resolve } from 'node:path';
import { CancelledError } from '../../../src-core/errors';
import { Repo } from '../../store/repo';
import { listPosteriors, posteriorSamples, thetaESummaries } from '../../store/posteriors';
import { readStampFile } from '../../stamps/stamp-file';
import { fileWorkspace } from '../../../test/workspace-fixture';
import { jobContext } from '../../../test/job-context';
import { fitKind, prepareFit, type FitParams } from './fit';
import { addSimulatedLens } from '../../../test/infer/lens-workspace';
import { buildExport } from '../../export/catalog-export';

const ws = fileWorkspace();
const repo = new Repo(ws.db);

const ctx = <P>(params: P, cancelled = false) => jobContext(repo, ws.dir, params, cancelled);

describe('fit job', () => {
  it('fits, stores, serves, resumes and cancels', async () => {
    // A simulated lens inside the fit's model family, stored as a workspace stamp with its truth.
    const sourceId = addSimulatedLens(repo, ws.db, ws.dir);
    // maxSeconds 0: no budget, so that the draw counts below do not depend on this machine's load.
    const params: FitParams = prepareFit({ sourceIds: [sourceId], chains: 2, warmup: 50, samples: 60, maxSamples: 60, nStarts: 2, maxEvals: 200, workers: 0, maxSeconds: 0 });
    const r1 = await fitKind.run(ctx(params));
    expect(r1).toMatchObject({ candidates: 1, fitted: 1, failed: 0 });

    const [post] = listPosteriors(ws.db, sourceId);
    expect(post!.parameters[0]).toBe('theta_E');
    expect(post!.summaries).toHaveLength(12);
    const te = post!.summaries[0]!;
    expect(te.q2_5).toBeLessThanOrEqual(te.q16);
    expect(te.q16).toBeLessThanOrEqual(te.q50);
    expect(te.q84).toBeLessThanOrEqual(te.q97_5);
    expect(post!.thetaE.mean).toBeCloseTo(te.mean, 12);
    // Issue 21: a fit that did not settle says why, in the stored diagnostics and in the job result.
    const d = post!.diagnostics;
    if (d.converged) expect(d.reason).toBeNull();
    else {
      expect(d.reason).toMatch(/\S/);
      expect((r1 as { notConverged: { sourceId: number; reason: string }[] }).notConverged).toEqual([{ sourceId, reason: d.reason }]);
    }
    const truth = JSON.parse(ws.db.prepare('SELECT truth FROM sources WHERE id = ?').pluck().get(sourceId) as string);
    // A short fit of a faint lens: θE within 0.3″ of the truth (a broken pipeline lands anywhere in [0.3, 4]).
    expect(Math.abs(te.mean - truth.theta_E)).toBeLessThan(0.3);

    // Samples: 2 chains × 60 draws, thinned on request; the stored draws reproduce the summary mean.
    const full = posteriorSamples(ws.db, post!.id, 1000);
    expect(full.chains).toBe(2);
    expect(full.drawsPerChain).toBe(60);
    expect(full.draws[0]).toHaveLength(60 * 12);
    let m = 0;
    for (const c of full.draws) for (let i = 0; i < 60; i++) m += c[i * 12]!;
    expect(m / 120).toBeCloseTo(te.mean, 10);
    const thin = posteriorSamples(ws.db, post!.id, 25);
    expect(thin.thin).toBe(3);
    expect(thin.drawsPerChain).toBe(20);
    expect(thin.draws[1]![12]).toBe(full.draws[1]![36]); // draw 1 of the thinned chain = draw 3

    // Model and residual stamps are cutouts; residual = (data − model)/σ.
    const cut = ws.db.prepare("SELECT kind, path FROM cutouts WHERE source_id = ? AND kind IN ('model','residual') ORDER BY kind").all(sourceId) as { kind: string; path: string }[];
    expect(cut.map((c) => c.kind)).toEqual(['model', 'residual']);
    const file = (p: string) => readStampFile(isAbsolute(p) ? p : resolve(ws.dir, p));
    const model = file(cut[0]!.path), res = file(cut[1]!.path);
    const stampPath = ws.db.prepare("SELECT path FROM cutouts WHERE source_id = ? AND kind = 'stamp'").pluck().get(sourceId) as string;
    const data = file(stampPath);
    const k = 10 * 21 + 13;
    const expected = (data.planes[1]![k]! - model.planes[1]![k]!) / Math.sqrt(data.variance![1]![k]!);
    expect(res.planes[1]![k]).toBeCloseTo(expected, 3);
    expect(post!.images.model).toMatch(/^cutout\/\d+$/);

    // θE for the grid.
    const map = thetaESummaries(ws.db, [sourceId, 999999]);
    expect([...map.keys()]).toEqual([sourceId]);
    expect(map.get(sourceId)!.sd).toBeCloseTo(te.sd, 12);

    // Export carries θE (latest fit) for the fitted source.
    const csv = new TextDecoder().decode(buildExport(repo, { format: 'csv' }).bytes);
    const lines = csv.split(/\r?\n/).filter((l) => l && !l.startsWith('#'));
    const head = lines[0]!.split(',');
    const row = lines[1]!.split(',');
    expect(Number(row[head.indexOf('theta_e_mean')])).toBeCloseTo(te.mean, 5);
    expect(Number(row[head.indexOf('theta_e_sd')])).toBeCloseTo(te.sd, 5);

    // Resume: same settings → skipped; cancelled → CancelledError, nothing new.
    const r2 = await fitKind.run(ctx(params));
    expect(r2).toMatchObject({ fitted: 0, skipped: 1 });
    await expect(fitKind.run(ctx({ ...params, seed: 1 }, true))).rejects.toBeInstanceOf(CancelledError);
    expect(listPosteriors(ws.db, sourceId)).toHaveLength(1);
  }, 120_000);

  it('rejects bad parameters by field', () => {
    expect(() => prepareFit({})).toThrow(/sourceIds, catalogId or minConsensus/);
    expect(() => prepareFit({ sourceIds: [1], chains: 1 })).toThrow(/chains/);
    expect(() => prepareFit({ minConsensus: 5 })).toThrow(/minConsensus/);
    expect(prepareFit({ minConsensus: 2 })).toMatchObject({ minConsensus: 2, chains: 4, warmup: 75 });
    // Issue 18: Model this lens answers within 2 min by default (a budget inside the NUTS trajectories).
    expect(prepareFit({ sourceIds: [1] }).maxSeconds).toBe(110);
    expect(() => prepareFit({ sourceIds: [1], maxSeconds: -1 })).toThrow(/maxSeconds/);
  });

  it('under a time budget returns a flagged result (or a failure naming the budget) instead of running on', async () => {
    const sourceId = addSimulatedLens(repo, ws.db, ws.dir);
    const params = prepareFit({ sourceIds: [sourceId], chains: 2, warmup: 50, samples: 400, maxSamples: 4000, nStarts: 2, maxEvals: 200, workers: 0, maxSeconds: 1 });
    const r = await fitKind.run(ctx(params)) as { fitted: number; failed: number; failures: { error: string }[]; notConverged: { reason: string }[] };
    expect(r.fitted + r.failed).toBe(1);
    if (r.failed) expect(r.failures[0]!.error).toMatch(/time budget of 1 s spent/);
    else {
      expect(r.notConverged[0]!.reason).toMatch(/time budget of 1 s spent .*not converged \(R̂ /);
      const d = listPosteriors(ws.db, sourceId)[0]!.diagnostics as { converged: boolean; drawsPerChain: number };
      expect(d.converged).toBe(false);
      expect(d.drawsPerChain).toBeLessThan(400);
    }
  }, 120_000);
});
