// Pure helpers for the models view: versions in lineage order (each parent followed by the versions
// fine-tuned from it, depth-first, oldest first) and SVG polyline points for the plots.
export interface Lineaged {
  id: number;
  parentId: number | null;
}

/** Depth-first lineage order; a version whose parent is missing is treated as a root. */
export function lineageOrder<T extends Lineaged>(models: T[]): { model: T; depth: number }[] {
  const ids = new Set(models.map((m) => m.id));
  const children = new Map<number | null, T[]>();
  for (const m of [...models].sort((a, b) => a.id - b.id)) {
    const p = m.parentId !== null && ids.has(m.parentId) && m.parentId !== m.id ? m.parentId : null;
    if (!children.has(p)) children.set(p, []);
    children.get(p)!.push(m);
  }
  const out: { model: T; depth: number }[] = [];
  const seen = new Set<number>();
  const walk = (p: number | null, depth: number) => {
    for (const m of children.get(p) ?? []) {
      if (seen.has(m.id)) continue;
      seen.add(m.id);
      out.push({ model: m, depth });
      walk(m.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** "x,y x,y …" for an SVG polyline of points in [0, 1]² drawn in a size × size box (y up). */
export function unitPolyline(xs: ArrayLike<number>, ys: ArrayLike<number>, size: number, pad = 0): string {
  const parts: string[] = [];
  for (let i = 0; i < xs.length; i++) parts.push(`${(pad + xs[i]! * size).toFixed(1)},${(pad + size - ys[i]! * size).toFixed(1)}`);
  return parts.join(' ');
}
