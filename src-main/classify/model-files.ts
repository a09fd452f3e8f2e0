// Model and checkpoint files. A model directory holds the standard tfjs layers format plus the card:
//   model.json   {format: 'layers-model', modelTopology, weightsManifest: [{paths: ['weights.bin'], weights}]}
//   weights.bin  float32 little-endian, in weightsManifest order
//   card.json    src-core/classify/card.ts (architecture, bands, pixel scale, normalisation, training, metrics)
// so `tf.loadLayersModel('file://…/model.json')` (tfjs-node) or any tfjs loader reads it too.
// Checkpoints (training resume) add optimizer.json/.bin and state.json. Every directory is written
// to a temporary sibling and renamed into place, so a kill leaves either the old or the new one.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { type ModelCard, parseModelCard } from '../../src-core/classify/card';
import type { Checkpoint, CheckpointStore, TrainState } from '../../src-core/classify/train';
import { modelArtifacts } from '../../src-core/classify/train';
import { NotFoundError } from '../../src-core/errors';

const toBuffer = (a: ArrayBuffer | ArrayBufferView) =>
  ArrayBuffer.isView(a) ? Buffer.from(a.buffer, a.byteOffset, a.byteLength) : Buffer.from(a);

async function writeArtifacts(dir: string, a: tf.io.ModelArtifacts): Promise<void> {
  const json = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: 'lensdesk',
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
  };
  await writeFile(join(dir, 'model.json'), JSON.stringify(json));
  await writeFile(join(dir, 'weights.bin'), toBuffer(tf.io.CompositeArrayBuffer.join(a.weightData!)));
}

async function readArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const path = join(dir, 'model.json');
  if (!existsSync(path)) throw new NotFoundError('MODEL_NOT_FOUND', `no model.json in ${dir}`, { file: path });
  const json = JSON.parse(await readFile(path, 'utf8'));
  const manifest = json.weightsManifest as { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  const parts = await Promise.all(manifest.flatMap((g) => g.paths).map((p) => readFile(join(dir, p))));
  const bytes = Buffer.concat(parts);
  return {
    modelTopology: json.modelTopology,
    weightSpecs: manifest.flatMap((g) => g.weights),
    weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  };
}

/** Writes `fill(tmp)` into a temporary sibling of `dir`, then swaps it into place. */
async function atomicDir(dir: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  const old = `${dir}.old`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await fill(tmp);
  await rm(old, { recursive: true, force: true });
  if (existsSync(dir)) await rename(dir, old);
  await rename(tmp, dir);
  await rm(old, { recursive: true, force: true });
}

export async function saveModelDir(dir: string, model: tf.LayersModel, card: ModelCard): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  const artifacts = await modelArtifacts(model);
  await atomicDir(dir, async (tmp) => {
    await writeArtifacts(tmp, artifacts);
    await writeFile(join(tmp, 'card.json'), JSON.stringify(card, null, 2) + '\n');
  });
}

export async function loadModelDir(dir: string): Promise<{ model: tf.LayersModel; card: ModelCard }> {
  const cardPath = join(dir, 'card.json');
  if (!existsSync(cardPath)) throw new NotFoundError('MODEL_NOT_FOUND', `no card.json in ${dir}`, { file: cardPath });
  const card = parseModelCard(JSON.parse(await readFile(cardPath, 'utf8')), cardPath);
  const model = await tf.loadLayersModel(tf.io.fromMemory(await readArtifacts(dir)));
  return { model, card };
}

/** Checkpoints under `<dir>/last` and `<dir>/best`. */
export class FileCheckpointStore implements CheckpointStore {
  constructor(readonly dir: string) {}

  async save(kind: 'last' | 'best', c: Checkpoint): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await atomicDir(join(this.dir, kind), async (tmp) => {
      await writeArtifacts(tmp, c.artifacts);
      const specs = c.optimizer.map((w) => ({ name: w.name, shape: w.shape, length: w.data.length }));
      await writeFile(join(tmp, 'optimizer.json'), JSON.stringify(specs));
      await writeFile(join(tmp, 'optimizer.bin'), Buffer.concat(c.optimizer.map((w) => toBuffer(w.data))));
      await writeFile(join(tmp, 'state.json'), JSON.stringify(c.state, null, 2));
    });
  }

  async load(kind: 'last' | 'best'): Promise<Checkpoint | null> {
    let dir = join(this.dir, kind);
    // killed between the two renames of atomicDir: the previous checkpoint is still complete
    if (!existsSync(dir) && existsSync(`${dir}.old`)) dir = `${dir}.old`;
    if (!existsSync(join(dir, 'state.json'))) return null;
    const specs = JSON.parse(await readFile(join(dir, 'optimizer.json'), 'utf8')) as { name: string; shape: number[]; length: number }[];
    const bin = await readFile(join(dir, 'optimizer.bin'));
    const all = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
    let o = 0;
    const optimizer = specs.map((s) => {
      const data = all.slice(o, o + s.length);
      o += s.length;
      return { name: s.name, shape: s.shape, data };
    });
    const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as TrainState;
    return { artifacts: await readArtifacts(dir), optimizer, state };
  }
}
