// Models view backend: the graded set under a grade mapping, and one model version's ROC metrics
// and reliability curve on it, from the scores it stored (src-core/classify/evaluation.ts); the
// reviewer's promote / keep-current choice on a fine-tuned candidate (src-core/classify/promotion.ts).
import type { GradedSetSummary, ModelEvaluation, ModelInfo, ParsedParams } from '../../src-core/api/contract';
import { evaluationReport } from '../../src-core/classify/evaluation';
import { gradedSet, parseMapping, splitGraded } from '../../src-core/classify/graded-set';
import { InputError, NotFoundError } from '../../src-core/errors';
import { markPromotion, modelById, scoresOf } from '../store/models-repo';
import type { Repo } from '../store/repo';

function graded(repo: Repo, p: { mapping?: object; weights?: object }) {
  const { mapping, weights } = parseMapping(p.mapping, p.weights);
  const set = gradedSet(repo.currentGrades(), mapping, weights);
  return { mapping, weights, set, split: splitGraded(set.items) };
}

export function gradedSummary(repo: Repo, p: ParsedParams<'models.graded'>): GradedSetSummary {
  const g = graded(repo, p);
  return { counts: g.set.counts, mapping: g.mapping, weights: g.weights, heldOut: g.split.heldOut, nTrain: g.split.train.length, nTest: g.split.heldOut ? g.split.test.length : 0 };
}

export function evaluateModel(repo: Repo, p: ParsedParams<'models.evaluate'>): ModelEvaluation {
  const model = modelById(repo.db, p.modelId);
  if (!model) throw new NotFoundError('NO_MODEL', `no model with id ${p.modelId}`, { modelId: p.modelId });
  const g = graded(repo, p);
  const items = p.subset === 'heldOut' ? (g.split.heldOut ? g.split.test : []) : g.set.items;
  const scores = scoresOf(repo.db, model.id, items.map((i) => i.sourceId));
  const scored = items.filter((i) => scores.has(i.sourceId));
  const labels = scored.map((i) => i.label);
  const nPos = labels.filter((l) => l === 1).length;
  const base = { modelId: model.id, subset: p.subset, nGraded: items.length, nScored: scored.length };
  if (nPos === 0 || nPos === labels.length) {
    const why = !items.length
      ? p.subset === 'heldOut' && !g.split.heldOut ? 'no held-out split yet: each class needs ≥ 10 graded sources' : 'no graded sources under this mapping yet'
      : !scored.length ? 'this version has not scored the graded sources' : 'the scored graded sources are all one class';
    return { ...base, report: null, note: why };
  }
  const report = evaluationReport(labels, scored.map((i) => scores.get(i.sourceId)!), { k: [10, 50, 100], bins: p.bins });
  const ft = model.card.fineTune as { trainSources?: number } | undefined;
  const note = ft && p.subset === 'all' ? `includes the ${ft.trainSources ?? '?'} graded sources this version was fine-tuned on (optimistic)` : p.subset === 'heldOut' ? 'held-out quarter of the graded set (what a fine-tune with the default split keeps out of training)' : 'all graded sources';
  return { ...base, report, note };
}

/** Model versions, the active one flagged. */
export function listModels(repo: Repo): ModelInfo[] {
  const active = repo.activeModelId();
  return repo.models().map((m) => ({ ...m, active: m.id === active }));
}

/** "Promote" makes the version active; "Keep current" records the choice and changes nothing else. */
export function promoteModel(repo: Repo, p: ParsedParams<'models.promote'>): { activeModelId: number | null } {
  const model = modelById(repo.db, p.modelId);
  if (!model) throw new NotFoundError('NO_MODEL', `no model with id ${p.modelId}`, { modelId: p.modelId });
  if (p.decision === 'promote') {
    if (!repo.scoredSourceIds(model.id).size && model.kind !== 'placeholder' && !model.path) {
      throw new InputError('NO_MODEL', `model ${model.name} ${model.version} has neither scores nor a network to score with`, { modelId: model.id });
    }
    markPromotion(repo, model.id, 'promoted', 'promoted by the reviewer');
  } else {
    markPromotion(repo, model.id, 'kept-current', 'the reviewer kept the current model');
  }
  return { activeModelId: repo.activeModelId() };
}
