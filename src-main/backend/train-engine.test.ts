import { describe, expect, it } from 'vitest';
import { chooseTrainEngine } from './train-engine';
import type { BackendSelection } from './select';

const sel = (candidate: BackendSelection['candidate'], tfBackend: string): BackendSelection => ({ candidate, tfBackend, attempts: [], notes: [] });

describe('training engine choice', () => {
  it('keeps tfjs where tfjs-node(-gpu) loaded and uses onnxruntime where tfjs has only wasm/cpu', async () => {
    expect((await chooseTrainEngine(sel('tfjs-node-gpu', 'tensorflow'), 'auto')).kind).toBe('tfjs');
    const wasm = await chooseTrainEngine(sel('wasm', 'wasm'), 'auto');
    expect(wasm.kind).toBe('onnxruntime');
    expect(wasm.reason).toContain('tfjs has only wasm');
    expect((await chooseTrainEngine(sel('wasm', 'wasm'), 'tfjs')).kind).toBe('tfjs');
    expect((await chooseTrainEngine(sel('tfjs-node', 'tensorflow'), 'onnxruntime')).kind).toBe('onnxruntime');
  });
});
