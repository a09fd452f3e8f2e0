// SWAP: the Space Warps Analysis Pipeline (Marshall et al. 2016, MNRAS 455, 1171), the Bayesian
// aggregation Zooniverse used for lens finding. Each reviewer has a confusion matrix learned from
// items whose truth is known (simulated lenses and known non-lenses mixed in as practice):
//   P_L = Pr("lens" | LENS),  P_D = Pr("not" | DUD)
// estimated with a Beta(0.5·k, 0.5·k)-like start (initial skill 0.5 counted as `priorCount` votes).
// A candidate's probability starts at the prior (2e-4 in Space Warps) and is updated by Bayes'
// rule with each classification; it retires as a lens above 0.95, as a dud below 1e-7.

export interface SwapOptions {
  prior: number;
  lensThreshold: number;
  dudThreshold: number;
  /** Pseudo-votes at skill 0.5 before any practice item (Space Warps starts agents at 0.5). */
  priorCount: number;
  /** Which grades count as a "lens" vote (default A, B = 3, 2). */
  lensGrades: readonly number[];
}

export const SWAP_DEFAULTS: SwapOptions = { prior: 2e-4, lensThreshold: 0.95, dudThreshold: 1e-7, priorCount: 2, lensGrades: [3, 2] };

export interface Classification {
  reviewer: string;
  item: number;
  grade: number;
  /** Known truth for practice items (simulations / known non-lenses), else undefined. */
  truth?: boolean;
}

export interface AgentSkill {
  reviewer: string;
  pL: number;
  pD: number;
  nLens: number;
  nDud: number;
  /** Expected information gain per classification at the prior (bits), a Space Warps "skill". */
  skill: number;
}

export interface SwapResult {
  agents: Map<string, AgentSkill>;
  /** Posterior P(lens) per non-practice item with at least one classification. */
  posterior: Map<number, number>;
  status: Map<number, 'lens' | 'dud' | 'active'>;
}

const log2 = (x: number) => (x > 0 ? Math.log2(x) : 0);
/** Information gain at prior p0 (Marshall et al. 2016, eq. 8), in bits. */
function skillOf(pL: number, pD: number, p0 = 0.5): number {
  const pl = p0, pd = 1 - p0;
  const s = (a: number, b: number) => (a > 0 ? a * log2(a / b) : 0);
  const yes = pL * pl + (1 - pD) * pd;
  const no = (1 - pL) * pl + pD * pd;
  return pl * (s(pL, yes) + s(1 - pL, no)) + pd * (s(1 - pD, yes) + s(pD, no));
}

export function swap(classifications: readonly Classification[], o: Partial<SwapOptions> = {}): SwapResult {
  const opt = { ...SWAP_DEFAULTS, ...o };
  const isLensVote = (g: number) => opt.lensGrades.includes(g);
  // 1. Agents learn from practice items.
  const counts = new Map<string, { ll: number; nl: number; dd: number; nd: number }>();
  for (const c of classifications) {
    if (!counts.has(c.reviewer)) counts.set(c.reviewer, { ll: 0, nl: 0, dd: 0, nd: 0 });
    if (c.truth === undefined) continue;
    const k = counts.get(c.reviewer)!;
    if (c.truth) {
      k.nl++;
      if (isLensVote(c.grade)) k.ll++;
    } else {
      k.nd++;
      if (!isLensVote(c.grade)) k.dd++;
    }
  }
  const agents = new Map<string, AgentSkill>();
  for (const [reviewer, k] of counts) {
    const pL = (k.ll + 0.5 * opt.priorCount) / (k.nl + opt.priorCount);
    const pD = (k.dd + 0.5 * opt.priorCount) / (k.nd + opt.priorCount);
    agents.set(reviewer, { reviewer, pL, pD, nLens: k.nl, nDud: k.nd, skill: skillOf(pL, pD) });
  }
  // 2. Items: sequential Bayes updates in odds form (order-independent for fixed agents).
  const odds = new Map<number, number>();
  const prior = opt.prior / (1 - opt.prior);
  for (const c of classifications) {
    if (c.truth !== undefined) continue;
    const a = agents.get(c.reviewer)!;
    const lr = isLensVote(c.grade) ? a.pL / (1 - a.pD) : (1 - a.pL) / a.pD;
    odds.set(c.item, (odds.get(c.item) ?? prior) * lr);
  }
  const posterior = new Map<number, number>();
  const status = new Map<number, 'lens' | 'dud' | 'active'>();
  for (const [item, o2] of odds) {
    const p = Number.isFinite(o2) ? o2 / (1 + o2) : 1;
    posterior.set(item, p);
    status.set(item, p >= opt.lensThreshold ? 'lens' : p <= opt.dudThreshold ? 'dud' : 'active');
  }
  return { agents, posterior, status };
}
