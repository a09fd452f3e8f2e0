// Convolution gradient kernels for tfjs-backend-wasm 4.22, written with kernels wasm already has.
//
// Why: wasm has no Conv2DBackpropFilter at all (training stops with "Kernel 'Conv2DBackpropFilter'
// not registered for backend 'wasm'"), and its Conv2DBackpropInput is a direct loop (not XNNPACK). Both are
// expressed here as GEMMs (BatchMatMul) and, for the input gradient of k×k convs, as a forward
// conv (XNNPACK), which wasm runs with SIMD.
//
// Maths (NHWC, dilation 1, y = conv(x, W) with stride s and top/left padding p):
//   dW[kh,kw,ci,co] = Σ_{n,oh,ow} xpad[n, oh·s+kh, ow·s+kw, ci] · dy[n,oh,ow,co]
//     → 1×1: one [Ci×M]·[M×Co] GEMM (M = N·OH·OW); stride 1: a forward conv of transposed
//       tensors; otherwise im2col + GEMM.
//   dx = conv_transpose(dy, W): for 1×1 kernels a GEMM dy·Wᵀ (zero-interleaved when s = 2); for
//     k×k with s = 1 a forward conv of dy with the 180°-rotated, in/out-swapped kernel.
//
// Kernel functions run inside the engine's kernel scope (not taped); the ops they call are
// wrapped in tidy so intermediates are freed and only the result survives.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

type Conv2DInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

interface KernelArgs {
  inputs: Record<string, tf.TensorInfo>;
  attrs?: Record<string, unknown>;
  backend: unknown;
}

/**
 * A new Tensor handle on a kernel input's data. makeTensorFromTensorInfo does not raise the
 * backend's reference count, so raise it here: disposing the handle (by the surrounding tidy)
 * then leaves the caller's tensor intact.
 */
function asTensor(info: tf.TensorInfo): tf.Tensor {
  const engine = tf.engine() as unknown as {
    makeTensorFromTensorInfo(i: tf.TensorInfo): tf.Tensor;
    backend: { incRef(dataId: object): void };
  };
  const t = engine.makeTensorFromTensorInfo(info);
  engine.backend.incRef(info.dataId);
  return t;
}

function convInfo(xShape: number[], filterShape: number[], attrs: Record<string, unknown>): Conv2DInfo {
  const fmt = tf.backend_util.convertConv2DDataFormat((attrs.dataFormat as 'NHWC' | 'NCHW') ?? 'NHWC');
  if (fmt !== 'channelsLast') throw new Error('wasm conv gradients: only NHWC is implemented');
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as [number, number] | number,
    1,
    attrs.pad as 'same' | 'valid' | number,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    false,
    fmt,
  );
}

/**
 * Tap (kh, kw) of the channel-major padded input xt [C, N, Hp, Wp]: the inputs that meet filter
 * row kh / column kw, shape [C, N, OH, OW].
 */
function tap(xt: tf.Tensor4D, c: Conv2DInfo, kh: number, kw: number): tf.Tensor4D {
  const [ch, n] = xt.shape;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = c;
  if (sh === 1 && sw === 1) return tf.slice(xt, [0, 0, kh, kw], [ch, n, oh, ow]);
  return tf.stridedSlice(xt, [0, 0, kh, kw], [ch, n, kh + (oh - 1) * sh + 1, kw + (ow - 1) * sw + 1], [1, 1, sh, sw]) as tf.Tensor4D;
}

/**
 * dW by im2col in channel-major order: cols [KH·KW·Ci, M] · dy [M, Co]. The wasm BatchMatMul is
 * fast (XNNPACK) only for rank-2, untransposed operands (measured: transposeA runs ~10× slower, a
 * batch dimension ~5× slower), so the transposition is done explicitly, once, on x.
 * General (any stride and padding); the two forms below are faster where they apply.
 */
export function conv2dBackpropFilterIm2col(x: tf.Tensor4D, dy: tf.Tensor4D, c: Conv2DInfo): tf.Tensor4D {
  return tf.tidy(() => {
    const { filterHeight: fh, filterWidth: fw, inChannels: ci, outChannels: co, padInfo: p } = c;
    const m = dy.shape[0] * dy.shape[1] * dy.shape[2];
    const dy2 = dy.reshape([m, co]);
    let xt = x.transpose([3, 0, 1, 2]) as tf.Tensor4D;
    if (p.top || p.bottom || p.left || p.right) {
      xt = tf.pad(xt, [
        [0, 0],
        [0, 0],
        [p.top, Math.max(p.bottom, 0)],
        [p.left, Math.max(p.right, 0)],
      ]);
    }
    const taps: tf.Tensor2D[] = [];
    for (let kh = 0; kh < fh; kh++) {
      for (let kw = 0; kw < fw; kw++) taps.push(tap(xt, c, kh, kw).reshape([ci, m]));
    }
    const cols = taps.length === 1 ? taps[0] : tf.concat(taps, 0);
    return tf.matMul(cols, dy2).reshape([fh, fw, ci, co]) as tf.Tensor4D;
  });
}

/**
 * dW for any conv: 1×1 without padding as one GEMM xᵀ·dy (strided rows for stride 2); stride-1
 * k×k as a forward conv of transposed tensors (XNNPACK, no im2col copy):
 *   dW[kh,kw,ci,co] = Σ_{n,oh,ow} xpad[n, oh+kh, ow+kw, ci] · dy[n,oh,ow,co]
 *                   = valid-conv( X'[ci, hp, wp, n] = xpadᵀ, F'[oh, ow, n, co] = dyᵀ )[ci, kh, kw, co]
 * (measured 2–3.5× faster than im2col on CMUDeepLens's 3×3 and 7×7 convs); else im2col.
 */
export function conv2dBackpropFilterNhwc(x: tf.Tensor4D, dy: tf.Tensor4D, c: Conv2DInfo): tf.Tensor4D {
  const { filterHeight: fh, filterWidth: fw, inChannels: ci, outChannels: co, padInfo: p } = c;
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = c;
  const [n, h, w] = x.shape;
  if (fh === 1 && fw === 1 && !p.top && !p.left) {
    return tf.tidy(() => {
      const xs = sh === 1 && sw === 1 ? x : tf.stridedSlice(x, [0, 0, 0, 0], [n, (oh - 1) * sh + 1, (ow - 1) * sw + 1, ci], [1, sh, sw, 1]);
      const m = n * oh * ow;
      return tf.matMul(xs.reshape([m, ci]).transpose(), dy.reshape([m, co])).reshape([1, 1, ci, co]) as tf.Tensor4D;
    });
  }
  if (sh !== 1 || sw !== 1) return conv2dBackpropFilterIm2col(x, dy, c);
  return tf.tidy(() => {
    const xt = tf.pad(x.transpose([3, 1, 2, 0]) as tf.Tensor4D, [
      [0, 0],
      [p.top, fh - 1 + oh - h - p.top],
      [p.left, fw - 1 + ow - w - p.left],
      [0, 0],
    ]) as tf.Tensor4D;
    const f = dy.transpose([1, 2, 0, 3]) as tf.Tensor4D;
    return tf.conv2d(xt, f, 1, 'valid').transpose([1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/** dx for a conv with a 1×1 kernel, or a k×k kernel at stride 1; null when not covered. */
export function conv2dBackpropInputNhwc(dy: tf.Tensor4D, w: tf.Tensor4D, c: Conv2DInfo): tf.Tensor4D | null {
  const { filterHeight: fh, filterWidth: fw, inChannels: ci, outChannels: co, padInfo: p } = c;
  const { batchSize: n, inHeight: h, inWidth: wd, outHeight: oh, outWidth: ow } = c;
  const { strideHeight: sh, strideWidth: sw } = c;
  if (fh === 1 && fw === 1 && p.top === 0 && p.left === 0) {
    if (!((sh === 1 && sw === 1) || (sh === 2 && sw === 2))) return null;
    return tf.tidy(() => {
      const wT = w.reshape([ci, co]).transpose(); // explicit: transposeB is the slow wasm path
      const g = tf.matMul(dy.reshape([n * oh * ow, co]), wT).reshape([n, oh, ow, ci]);
      if (sh === 1 && sw === 1) return g as tf.Tensor4D;
      // Zero-interleave: dx[n, 2i, 2j] = g[n, i, j]; other positions got no contribution.
      const z = tf.zerosLike(g);
      const cols = tf.stack([g, z], 3).reshape([n, oh, 2 * ow, ci]).slice([0, 0, 0, 0], [n, oh, wd, ci]);
      const rows = tf.stack([cols, tf.zerosLike(cols)], 2).reshape([n, 2 * oh, wd, ci]);
      return rows.slice([0, 0, 0, 0], [n, h, wd, ci]) as tf.Tensor4D;
    });
  }
  if (sh !== 1 || sw !== 1) return null;
  return tf.tidy(() => {
    // Full correlation of dy with the rotated kernel; padding mirrors the forward padding.
    const wRot = tf.reverse(w, [0, 1]).transpose([0, 1, 3, 2]) as tf.Tensor4D;
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [fh - 1 - p.top, h - oh + p.top],
      [fw - 1 - p.left, wd - ow + p.left],
      [0, 0],
    ];
    return tf.conv2d(dy, wRot, 1, pad);
  });
}

const installed = new Set<string>();

/**
 * Registers Conv2DBackpropFilter for `backendName` (default 'wasm') and replaces its
 * Conv2DBackpropInput with the GEMM/conv forms above (falling back to the original for shapes
 * they do not cover; `replaceInputGradient: false` keeps the original). Idempotent per backend.
 * On 'cpu' it is used by tests, to make the reference training step affordable (the cpu backend's
 * own Conv2DBackpropFilter takes ~20 s per 45×45 image).
 */
export function installWasmGradKernels(backendName = 'wasm', opts: { replaceInputGradient?: boolean } = {}): void {
  if (installed.has(backendName)) return;
  installed.add(backendName);
  const filterKernel = (args: KernelArgs) => {
    const { x, dy } = args.inputs;
    const c = convInfo(x.shape, args.attrs!.filterShape as number[], args.attrs!);
    const xT = asTensor(x) as tf.Tensor4D;
    const dyT = asTensor(dy) as tf.Tensor4D;
    const out = conv2dBackpropFilterNhwc(xT, dyT, c);
    tf.dispose([xT, dyT]);
    return out;
  };
  if (tf.getKernel('Conv2DBackpropFilter', backendName)) tf.unregisterKernel('Conv2DBackpropFilter', backendName);
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName, kernelFunc: filterKernel as never });

  if (opts.replaceInputGradient === false) return;
  const original = tf.getKernel('Conv2DBackpropInput', backendName);
  const inputKernel = (args: KernelArgs) => {
    const { dy, filter } = args.inputs;
    const c = convInfo(args.attrs!.inputShape as number[], filter.shape, args.attrs!);
    const dyT = asTensor(dy) as tf.Tensor4D;
    const wT = asTensor(filter) as tf.Tensor4D;
    const out = conv2dBackpropInputNhwc(dyT, wT, c);
    tf.dispose([dyT, wT]);
    if (out) return out;
    if (!original) throw new Error(`${backendName} Conv2DBackpropInput: shape not covered and no original kernel`);
    return original.kernelFunc(args as never);
  };
  if (original) tf.unregisterKernel('Conv2DBackpropInput', backendName);
  tf.registerKernel({
    kernelName: 'Conv2DBackpropInput',
    backendName,
    kernelFunc: inputKernel as never,
    setupFunc: original?.setupFunc,
  });
}
