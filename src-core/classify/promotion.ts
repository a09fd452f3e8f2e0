// Whether a fine-tuned version replaces its parent as the workspace's active model (issue 19: a
// fine-tune once promoted itself although its AUROC on the graded set fell from 0.671 to 0.586).
//
// A fine-tuned version is always stored; it becomes the active model (the one the grid sorts by,
// exports report and later fine-tunes start from) only by one of three rules, chosen per job:
// - 'never'  : stays a candidate; the reviewer promotes it (or keeps the current one) in the models
//              view, which shows old vs new on the held-out grades. The app's default.
// - 'auto'   : promoted only when its held-out AUROC is at least the parent's (new ≥ old). An
//              in-sample evaluation (too few grades per class to hold any out) never promotes
//              automatically: training on the very grades it is scored on makes the new version look
//              better than it is. The CLI's default.
// - 'always' : promoted regardless (`lensdesk finetune --promote`), after the reviewer has seen both.
// AUROC decides because it is threshold-free and what the card and the models view lead with
// (Metcalf et al. 2019 rank lens finders by it); ties promote, since the new version then also
// carries the reviewers' latest grades.

export type PromotionRule = 'never' | 'auto' | 'always';
export const PROMOTION_RULES: readonly PromotionRule[] = ['never', 'auto', 'always'];

export interface PromotionInput {
  /** 'held-out' or 'in-sample', as the fine-tune job's evaluation says. */
  set: string;
  oldAuroc: number | null;
  newAuroc: number | null;
}

export interface PromotionDecision {
  promote: boolean;
  rule: PromotionRule;
  reason: string;
}

const f3 = (x: number | null) => (x === null || !Number.isFinite(x) ? '—' : x.toFixed(3));

export function decidePromotion(rule: PromotionRule, e: PromotionInput): PromotionDecision {
  const both = `${e.set} AUROC ${f3(e.oldAuroc)} → ${f3(e.newAuroc)}`;
  if (rule === 'always') return { promote: true, rule, reason: `promoted as asked (${both})` };
  if (rule === 'never') return { promote: false, rule, reason: `kept as a candidate for the reviewer to promote (${both})` };
  if (e.oldAuroc === null || e.newAuroc === null || !Number.isFinite(e.oldAuroc) || !Number.isFinite(e.newAuroc)) {
    return { promote: false, rule, reason: `not promoted: no old vs new AUROC to compare (${both})` };
  }
  if (e.set !== 'held-out') return { promote: false, rule, reason: `not promoted: the evaluation is in-sample, so optimistic (${both}); promote it yourself if you trust it` };
  if (e.newAuroc >= e.oldAuroc) return { promote: true, rule, reason: `promoted: new ≥ old on the held-out grades (${both})` };
  return { promote: false, rule, reason: `not promoted: worse than the current model on the held-out grades (${both})` };
}
