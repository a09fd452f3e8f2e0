import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { backendSummary, selectBackend } from './select';

describe('tfjs backend selection', () => {
  it('falls through tfjs-node-gpu and tfjs-node (no native library here) to wasm, with exact errors', async () => {
    const s = await selectBackend();
    const byName = Object.fromEntries(s.attempts.map((a) => [a.candidate, a]));
    if (byName['tfjs-node-gpu'].ok || byName['tfjs-node'].ok) {
      // A machine with libtensorflow: the selection must then be 'tensorflow'.
      expect(s.tfBackend).toBe('tensorflow');
      return;
    }
    expect(byName['tfjs-node-gpu'].error).toMatch(/tfjs_binding\.node|Cannot find module|libtensorflow/);
    expect(byName['tfjs-node'].error).toMatch(/tfjs_binding\.node|Cannot find module|libtensorflow/);
    expect(s.candidate).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(byName.cpu.skipped).toMatch(/wasm already loaded/);
    expect(backendSummary(s)).toMatch(/^wasm \(tfjs-node-gpu: .+; tfjs-node: .+\)$/);
    // the failed attempts left no half-registered 'tensorflow' kernels behind
    expect(tf.getKernelsForBackend('tensorflow')).toHaveLength(0);
    // the training kernel wasm lacks upstream is now there
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('honours an explicit order', async () => {
    const s = await selectBackend({ order: ['cpu'] });
    expect(s.candidate).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(s.attempts.find((a) => a.candidate === 'wasm')?.skipped).toMatch(/excluded/);
  });
});
