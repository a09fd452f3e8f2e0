// Registry of CLI subcommands (one file each). Add yours here.
import type { CliCommand } from '../command';
import { exportCommand } from './export';
import { ingestCommand } from './ingest';
import { jobsCommand } from './jobs';
import { scoreCommand } from './score';
import { serveCommand } from './serve';
import { backendCommand } from './backend';
import { trainCommand } from './train';
import { scoreBenchCommand } from './score-bench';
import { wcsCommand } from './wcs';
import { fitsCommand } from './fits';
import { renderCommand } from './render';
import { metricsCommand } from './metrics';
import { simulateCommand } from './simulate';
import { labelsCommand } from './labels';
import { fitCommand } from './fit';
import { evaluateCommand } from './evaluate';
import { finetuneCommand } from './finetune';
import { setupCommand } from './setup';
import { massmapCommand } from './massmap';
import { clusterCommand } from './cluster';
import { priorCommand } from './prior';
import { shardCommand } from './shard';
import { mergeCommand } from './merge';
import { deblendCommand } from './deblend';
import { restoreCommand } from './restore';
import { sourceCommand } from './source';
import { blendModelCommand } from './blend-model';
import { blendScoreCommand } from './blend-score';
import { galaxyCommand } from './galaxy';

// One command per line, so that branches adding commands merge without conflicts.
export const commands: CliCommand[] = [
  serveCommand,
  ingestCommand,
  scoreCommand,
  exportCommand,
  jobsCommand,
  setupCommand,
  backendCommand,
  trainCommand,
  scoreBenchCommand,
  wcsCommand,
  fitsCommand,
  renderCommand,
  metricsCommand,
  simulateCommand,
  labelsCommand,
  fitCommand,
  evaluateCommand,
  finetuneCommand,
  massmapCommand,
  clusterCommand,
  priorCommand,
  shardCommand,
  mergeCommand,
  deblendCommand,
  restoreCommand,
  sourceCommand,
  blendModelCommand,
  blendScoreCommand,
  galaxyCommand,
];
