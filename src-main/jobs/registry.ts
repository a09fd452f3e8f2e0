// Every job kind, by name. Later issues add kinds here (simulate, train, fit).
import { blendScoreKind } from './kinds/blend-score';
import { deblendKind } from './kinds/deblend';
import { demoKind } from './kinds/demo';
import { exportKind } from './kinds/export';
import { finetuneKind } from './kinds/finetune';
import { galaxyPosteriorKind } from './kinds/galaxy-posterior';
import { fitKind } from './kinds/fit';
import { ingestKind } from './kinds/ingest';
import { ingestCatalogKind } from './kinds/ingest-catalog';
import { massmapKind } from './kinds/massmap';
import { restoreKind } from './kinds/restore';
import { scoreKind } from './kinds/score';
import { simulateKind } from './kinds/simulate';
import { sourceKind } from './kinds/source';
import type { JobKind } from './types';

export const jobKinds: Record<string, JobKind<never>> = {
  ingest: ingestKind as JobKind<never>,
  'ingest-catalog': ingestCatalogKind as JobKind<never>,
  score: scoreKind as JobKind<never>,
  export: exportKind as JobKind<never>,
  demo: demoKind as JobKind<never>,
  simulate: simulateKind as JobKind<never>,
  fit: fitKind as JobKind<never>,
  finetune: finetuneKind as JobKind<never>,
  massmap: massmapKind as JobKind<never>,
  restore: restoreKind as JobKind<never>,
  source: sourceKind as JobKind<never>,
  deblend: deblendKind as JobKind<never>,
  'blend-score': blendScoreKind as JobKind<never>,
  'galaxy-posterior': galaxyPosteriorKind as JobKind<never>,
};
