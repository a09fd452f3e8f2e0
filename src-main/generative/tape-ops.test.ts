// Finite-difference checks of the tape ops the Flow-VAE added (exp, softplus, mul, scale, reshape, perImageConv):
// each op alone, L = Σ c ⊙ op(params) with a fixed random c, gradients from the tape's backward
// against central differences of L run through onnxruntime.
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { gradName, Tape } from '../../src-core/onnx/tape';
import { Rng } from '../../src-core/rng';
import { cpuSessionOptions } from '../classify/ort-scorer';

interface Case {
  params: Record<string, number[]>;
  /** data inputs (no gradient) */
  data?: Record<string, { dims: number[]; values: Float32Array }>;
  build(tape: Tape, p: Record<string, string>, d: Record<string, string>): string;
  outDims: number[];
}

async function check(c: Case, seed: number): Promise<void> {
  const rng = new Rng(seed, 7);
  const tape = new Tape('op_check', true);
  const p: Record<string, string> = {};
  for (const [name, dims] of Object.entries(c.params)) p[name] = tape.param(name, dims, { uniform: 1 });
  const d: Record<string, string> = {};
  for (const [name, t] of Object.entries(c.data ?? {})) d[name] = tape.g.input(name, t.dims);
  const y = c.build(tape, p, d);
  const nOut = c.outDims.reduce((a, b) => a * b, 1);
  const cw = Float32Array.from({ length: nOut }, () => rng.range(-1, 1));
  const cT = tape.g.float32('c', c.outDims, cw);
  tape.node('ReduceSum', [tape.node('Mul', [y, cT])], { keepdims: 0 }, 'loss');
  tape.g.output('loss', []);
  tape.addGrad(y, cT);
  tape.runBackward();
  for (const [name, dims] of Object.entries(c.params)) {
    tape.node('Identity', [tape.gradOf(p[name]!)], {}, gradName(name));
    tape.g.output(gradName(name), dims);
  }
  const session = await ort.InferenceSession.create(tape.g.encode({ opset: 13, producer: 't', producerVersion: '0', docString: '' }), cpuSessionOptions(1));
  const values = new Map(Object.entries(c.params).map(([n, dims]) => [n, Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rng.range(-1, 1))]));
  const run = async () => {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [n, dims] of Object.entries(c.params)) feeds[n] = new ort.Tensor('float32', values.get(n)!, dims);
    for (const [n, t] of Object.entries(c.data ?? {})) feeds[n] = new ort.Tensor('float32', t.values, t.dims);
    return session.run(feeds);
  };
  try {
    const out = await run();
    for (const name of Object.keys(c.params)) {
      const g = out[gradName(name)]!.data as Float32Array;
      const w = values.get(name)!;
      // every element: central differences in float32 on O(1) values
      for (let i = 0; i < w.length; i++) {
        const orig = w[i]!, h = 1e-2;
        w[i] = orig + h;
        const lp = ((await run()).loss!.data as Float32Array)[0]!;
        w[i] = orig - h;
        const lm = ((await run()).loss!.data as Float32Array)[0]!;
        w[i] = orig;
        const fd = (lp - lm) / (2 * h);
        expect(Math.abs(fd - g[i]!), `${name}[${i}]: fd ${fd} vs analytic ${g[i]}`).toBeLessThan(2e-3 + 2e-3 * Math.abs(fd));
      }
    }
  } finally {
    await session.release();
  }
}

describe('tape ops added for the Flow-VAE: gradients against finite differences', () => {
  it('exp', () => check({ params: { a: [2, 5] }, build: (t, p) => t.exp(p.a!), outDims: [2, 5] }, 1));
  it('mul (both inputs differentiable)', () => check({ params: { a: [3, 4], b: [3, 4] }, build: (t, p) => t.mul(p.a!, p.b!), outDims: [3, 4] }, 2));
  it('mul with one data input', () =>
    check({ params: { a: [3, 4] }, data: { e: { dims: [3, 4], values: Float32Array.from({ length: 12 }, (_, i) => Math.sin(i + 1)) } }, build: (t, p, d) => t.mul(p.a!, d.e!, true, false), outDims: [3, 4] }, 3));
  it('scale', () => check({ params: { a: [2, 3] }, build: (t, p) => t.scale(p.a!, -0.7), outDims: [2, 3] }, 4));
  it('softplus (the optional positive decoder output)', () => check({ params: { a: [2, 5] }, build: (t, p) => t.softplus(t.scale(p.a!, 3)), outDims: [2, 5] }, 7));
  it('reshape', () => check({ params: { a: [2, 12] }, build: (t, p) => t.exp(t.reshape(p.a!, [0, 3, 2, 2])), outDims: [2, 3, 2, 2] }, 5));
  it('perImageConv (a different kernel per image, asymmetric so a flip error shows)', async () => {
    const rng = new Rng(9, 1);
    const kernels = Float32Array.from({ length: 2 * 9 }, () => rng.range(0, 1));
    await check({ params: { a: [2, 1, 5, 5] }, data: { k: { dims: [2, 1, 3, 3], values: kernels } }, build: (t, p, d) => t.perImageConv(p.a!, d.k!, 2, 3, 5), outDims: [2, 1, 5, 5] }, 6);
  });

  it('perImageConv is a true convolution (a delta image returns the kernel unflipped)', async () => {
    const tape = new Tape('conv_check', false, new Map());
    const x = tape.g.input('x', [2, 1, 5, 5]);
    const k = tape.g.input('k', [2, 1, 3, 3]);
    tape.node('Identity', [tape.perImageConv(x, k, 2, 3, 5)], {}, 'y');
    tape.g.output('y', [2, 1, 5, 5]);
    const s = await ort.InferenceSession.create(tape.g.encode({ opset: 13, producer: 't', producerVersion: '0', docString: '' }), cpuSessionOptions(1));
    const xv = new Float32Array(50);
    xv[12] = 1; // image 0: delta at the centre
    xv[25 + 12] = 2;
    const kv = Float32Array.from({ length: 18 }, (_, i) => i + 1);
    const y = (await s.run({ x: new ort.Tensor('float32', xv, [2, 1, 5, 5]), k: new ort.Tensor('float32', kv, [2, 1, 3, 3]) })).y!.data as Float32Array;
    await s.release();
    // (k ∗ δ)(r, c) = k(r − 2 + 1, c − 2 + 1): the kernel appears as is around the centre
    for (let n = 0; n < 2; n++)
      for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) expect(y[n * 25 + (r + 1) * 5 + c + 1]).toBeCloseTo((n + 1) * kv[n * 9 + r * 3 + c]!, 5);
  });

  it('upsample2 in an inference graph (ONNX Resize) is the nearest ×2 copy, exactly', async () => {
    // the inference path uses Resize, the training path Reshape + Expand: both must be out[i] = in[⌊i/2⌋]
    const tape = new Tape('up_check', false, new Map());
    const x = tape.g.input('x', [2, 3, 4, 4]);
    tape.node('Identity', [tape.upsample2(x, 3, 4)], {}, 'y');
    tape.g.output('y', [2, 3, 8, 8]);
    const s = await ort.InferenceSession.create(tape.g.encode({ opset: 13, producer: 't', producerVersion: '0', docString: '' }), cpuSessionOptions(1));
    const rng = new Rng(4, 2);
    const xv = Float32Array.from({ length: 96 }, () => rng.range(-1, 1));
    const y = (await s.run({ x: new ort.Tensor('float32', xv, [2, 3, 4, 4]) })).y!.data as Float32Array;
    await s.release();
    expect(y.length).toBe(2 * 3 * 64);
    for (let nc = 0; nc < 6; nc++)
      for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) expect(y[nc * 64 + r * 8 + c]).toBe(xv[nc * 16 + Math.floor(r / 2) * 4 + Math.floor(c / 2)]);
  });
});
