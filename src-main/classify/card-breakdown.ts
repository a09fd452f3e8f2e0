// Writes one held-out evaluation (summary metrics + per-class breakdown, classify/breakdown.ts)
// into a model's card.json under heldOutEvaluations.<name>, keeping every other field as it is.
// The write is atomic (temp file + rename) so a crash never leaves a half-written card.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../src-core/errors';

export function recordBreakdownInCard(modelDir: string, name: string, entry: Record<string, unknown>): void {
  const path = join(modelDir, 'card.json');
  let card: Record<string, unknown>;
  try {
    card = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new InputError('MODEL_CARD', `${path}: cannot read the card (${(e as Error).message})`, { file: path });
  }
  const evals = (card.heldOutEvaluations && typeof card.heldOutEvaluations === 'object' ? card.heldOutEvaluations : {}) as Record<string, unknown>;
  card.heldOutEvaluations = { ...evals, [name]: entry };
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(card, null, 2) + '\n');
  renameSync(tmp, path);
}
