// A workspace source's stamp as the lens-fit input, exactly as the "Model this lens" job reads it
// (src-main/jobs/kinds/fit.ts: readStampFile + fitInputFromStamp, PSFs from the survey's preset), so the
// source reconstruction sees the same data and PSFs as the posterior it uses.
import { isAbsolute, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { NotFoundError } from '../../src-core/errors';
import type { LensFitInput } from '../../src-core/infer/lens-fit';
import { fitInputFromStamp } from '../../src-core/infer/lens-stamp';
import { presetOfSurvey } from '../../src-core/lens/presets';
import { readStampFile } from '../stamps/stamp-file';
import { fitTargets } from '../store/posteriors';

export function workspaceStampInput(db: Database.Database, workspaceDir: string, sourceId: number, preset?: string): { input: LensFitInput; stamp: ReturnType<typeof readStampFile> } {
  const t = fitTargets(db, { sourceIds: [sourceId] })[0];
  if (!t) throw new NotFoundError('NO_STAMP', `source ${sourceId} has no stamp in this workspace`, { sourceId });
  const stamp = readStampFile(isAbsolute(t.path) ? t.path : resolve(workspaceDir, t.path));
  return { input: fitInputFromStamp(stamp, preset ?? presetOfSurvey(t.survey, 'lsst')).input, stamp };
}
