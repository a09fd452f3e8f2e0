// The models shipped in models/<name>/ for the models view: the layout each was trained on (bands,
// pixel scale, cutout size: what src-main/classify/model-choice.ts matches a survey against) and
// its card (held-out evaluations, training budget), so a reviewer sees which model scores which
// survey and how well before any of them has scored this workspace.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BundledModelInfo } from '../../src-core/api/contract';
import { bundledModelOptions } from '../classify/model-choice';
import { modelsDir } from '../util/paths';

export function listBundledModels(root = modelsDir()): BundledModelInfo[] {
  return bundledModelOptions(root).map((m) => ({
    name: m.name,
    bands: m.bands,
    pixelScale: m.pixelScale,
    inputSize: m.inputSize,
    preset: m.preset ?? null,
    card: JSON.parse(readFileSync(join(m.path, 'card.json'), 'utf8')) as Record<string, unknown>,
  }));
}
