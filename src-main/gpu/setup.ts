// `lensdesk setup gpu`: check the machine (driver, CUDA libraries, network), then run each GPU
// package's own installer (tfjs-gpu-install.ts, ort-cuda-install.ts) and say precisely what is
// still missing. Never throws for a machine problem: every outcome is a line the user can act on.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CUDA_LIBS, type DriverInfo, detectNvidiaDriver, missingLibraries, probeUrl, unresolvedByLdd, visibleCudaMajor, visibleSharedLibraries } from './detect';
import { installOrtCuda, planOrtCuda, type OrtCudaPlan } from './ort-cuda-install';
import { installTfjsGpu, planTfjsGpu, type TfjsGpuPlan } from './tfjs-gpu-install';

const nodeRequire = createRequire(import.meta.url);

export type GpuEngine = 'tfjs' | 'onnxruntime';

export interface SetupGpuOptions {
  /** Base URL laid out like the upstream hosts (see docs/gpu.md). */
  mirror?: string;
  /** NuGet v3 service index for onnxruntime (default: MIRROR/v3/index.json with --mirror, else api.nuget.org). */
  nugetIndex?: string;
  dryRun?: boolean;
  /** CUDA major the onnxruntime CUDA EP is for (default: the visible libcudart, else 12). */
  cuda?: 11 | 12;
  /** Download even without an NVIDIA driver (e.g. preparing an image for GPU nodes). */
  force?: boolean;
  only?: GpuEngine[];
  allowSourceBuild?: boolean;
  /** Per package script (default 20 min: the GPU libtensorflow is ~0.5 GB). */
  timeoutMs?: number;
  probeTimeoutMs?: number;
  /** Package directories and the .bin/NODE_PATH their scripts need (default: this install's node_modules). */
  tfjsDir?: string | null;
  ortDir?: string | null;
  binDir?: string;
  nodePath?: string;
  /** Injected machine facts (tests); default: detected. */
  driver?: DriverInfo;
  libs?: Set<string>;
  log: (line: string) => void;
}

export interface SetupStep {
  engine: GpuEngine;
  status: 'installed' | 'planned' | 'skipped' | 'failed';
  message: string;
  /** CUDA/cuDNN sonames still missing for this engine to use the GPU. */
  missingLibs: string[];
}

export interface SetupGpuResult {
  ok: boolean;
  driver: DriverInfo;
  cuda: { major: 11 | 12; source: 'flag' | 'detected' | 'assumed' };
  steps: SetupStep[];
}

function packageDir(name: string): string | null {
  try {
    return dirname(nodeRequire.resolve(`${name}/package.json`));
  } catch {
    return null;
  }
}

/** The node_modules that holds `name` (its .bin has node-pre-gyp). */
function nodeModulesOf(pkgDir: string): string {
  let d = pkgDir;
  while (d !== dirname(d) && !d.endsWith(`${'/'}node_modules`)) d = dirname(d);
  return d;
}

async function reachable(url: string, timeoutMs: number): Promise<string | null> {
  const p = await probeUrl(url, timeoutMs);
  if (!p.ok) return `cannot reach ${url} (${p.error})`;
  if (p.status && p.status >= 400) return `${url} answered HTTP ${p.status}`;
  return null;
}

/** A file-system error (read-only or root-owned node_modules, full disk) becomes a failed step, not a crash. */
async function guarded(name: string, dir: string, f: () => Promise<{ ok: boolean; message: string }>): Promise<{ ok: boolean; message: string }> {
  try {
    return await f();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { ok: false, message: `${name}: could not write in ${dir} (${err.code ?? ''} ${err.message}); run the command as the user that owns that node_modules, or free disk space` };
  }
}

const NETWORK_HINT = 'check the network or proxy (HTTPS_PROXY for tfjs-node-gpu, GLOBAL_AGENT_HTTPS_PROXY for onnxruntime-node), or serve the files on a mirror and pass --mirror URL (docs/gpu.md)';

export async function setupGpu(o: SetupGpuOptions): Promise<SetupGpuResult> {
  const log = o.log;
  const driver = o.driver ?? detectNvidiaDriver();
  const libs = o.libs ?? visibleSharedLibraries();
  const seen = visibleCudaMajor(libs);
  const cuda = o.cuda ? { major: o.cuda, source: 'flag' as const } : seen ? { major: seen, source: 'detected' as const } : { major: 12 as const, source: 'assumed' as const };
  const want = (e: GpuEngine) => !o.only || o.only.includes(e);
  const steps: SetupStep[] = [];
  const timeoutMs = o.timeoutMs ?? 20 * 60_000;
  const probeMs = o.probeTimeoutMs ?? 5000;

  log(driver.present ? `NVIDIA driver: ${driver.version ?? 'version unknown'}${driver.gpus ? ` (${driver.gpus.join(', ')})` : ''} — ${driver.detail}` : `NVIDIA driver: not found (${driver.detail})`);
  log(`CUDA runtime: ${seen ? `CUDA ${seen} visible to the loader` : 'no libcudart visible to the loader (ldconfig -p, LD_LIBRARY_PATH)'}; setting up for CUDA ${cuda.major} (${cuda.source})`);
  if (!driver.present && !o.force && !o.dryRun) {
    const msg = `no NVIDIA driver on this machine (${driver.detail}). Install the NVIDIA driver so that \`nvidia-smi\` lists your GPU, then rerun \`lensdesk setup gpu\`; or pass --force to download the GPU libraries anyway (e.g. preparing an image for GPU nodes).`;
    for (const engine of (['tfjs', 'onnxruntime'] as const).filter(want)) steps.push({ engine, status: 'failed', message: msg, missingLibs: [] });
    log(`error: ${msg}`);
    return { ok: false, driver, cuda, steps };
  }

  if (want('tfjs')) steps.push(await tfjsStep(o, libs, timeoutMs, probeMs));
  if (want('onnxruntime')) steps.push(await ortStep(o, libs, cuda.major, timeoutMs, probeMs));
  for (const s of steps) {
    log(`${s.status}: ${s.message}`);
    if (s.missingLibs.length) log(`  still missing for ${s.engine} to use the GPU: ${s.missingLibs.join(', ')} (install the CUDA/cuDNN versions in docs/gpu.md, or add their lib directory to LD_LIBRARY_PATH)`);
  }
  const ok = steps.every((s) => s.status !== 'failed');
  if (!o.dryRun && steps.some((s) => s.status === 'installed')) log('next: `lensdesk backend` shows which backend and execution provider now load.');
  return { ok, driver, cuda, steps };
}

async function tfjsStep(o: SetupGpuOptions, libs: Set<string>, timeoutMs: number, probeMs: number): Promise<SetupStep> {
  const engine = 'tfjs' as const;
  const dir = o.tfjsDir === undefined ? packageDir('@tensorflow/tfjs-node-gpu') : o.tfjsDir;
  if (!dir) return { engine, status: 'failed', message: '@tensorflow/tfjs-node-gpu is not installed (it is an optional dependency: `npm install --include=optional`)', missingLibs: [] };
  let plan: TfjsGpuPlan;
  try {
    plan = planTfjsGpu(dir, { mirror: o.mirror, binDir: o.binDir ?? join(nodeModulesOf(dir), '.bin'), nodePath: o.nodePath, allowSourceBuild: o.allowSourceBuild });
  } catch (e) {
    return { engine, status: 'skipped', message: `tfjs-node-gpu: ${(e as Error).message}`, missingLibs: [] };
  }
  const missingLibs = missingLibraries(CUDA_LIBS.tfjs, libs);
  if (o.dryRun) {
    const env = Object.entries(plan.env).filter(([k]) => k !== 'PATH').map(([k, v]) => `${k}=${v}`).join(' ');
    return { engine, status: 'planned', message: `tfjs-node-gpu ${plan.version}: would run \`${env} node scripts/install.js gpu download\` in ${plan.pkgDir}, fetching ${plan.libtensorflowUrl} → ${plan.libFile} and ${plan.addonUrl} → ${plan.addonFile}`, missingLibs };
  }
  if (existsSync(plan.libFile) && existsSync(plan.addonFile)) return { engine, status: 'installed', message: `tfjs-node-gpu: already installed (${plan.libFile}, ${plan.addonFile})`, missingLibs };
  for (const url of [plan.libtensorflowUrl, plan.addonUrl]) {
    const why = await reachable(url, probeMs);
    if (why) return { engine, status: 'failed', message: `tfjs-node-gpu: ${why}; nothing was changed. ${/HTTP 404/.test(why) ? 'The mirror lacks this file (lay it out as docs/gpu.md shows).' : NETWORK_HINT}`, missingLibs };
  }
  const r = await guarded('tfjs-node-gpu', plan.pkgDir, () => installTfjsGpu(plan, timeoutMs));
  return { engine, status: r.ok ? 'installed' : 'failed', message: r.message, missingLibs };
}

async function ortStep(o: SetupGpuOptions, libs: Set<string>, cudaMajor: 11 | 12, timeoutMs: number, probeMs: number): Promise<SetupStep> {
  const engine = 'onnxruntime' as const;
  const dir = o.ortDir === undefined ? packageDir('onnxruntime-node') : o.ortDir;
  if (!dir) return { engine, status: 'failed', message: 'onnxruntime-node is not installed', missingLibs: [] };
  if (cudaMajor === 11) {
    return { engine, status: 'skipped', message: 'onnxruntime-node: its CUDA execution provider is built for CUDA 12 only ("CUDA v11 is no longer supported since v1.22", its README); install CUDA 12 + cuDNN 9 and rerun with --cuda 12', missingLibs: [] };
  }
  let plan: OrtCudaPlan;
  try {
    plan = planOrtCuda(dir, { mirror: o.mirror, nugetIndex: o.nugetIndex, nodePath: o.nodePath });
  } catch (e) {
    return { engine, status: 'skipped', message: `onnxruntime-node: ${(e as Error).message}`, missingLibs: [] };
  }
  const wanted = missingLibraries(CUDA_LIBS.onnxruntime, libs);
  if (o.dryRun) {
    const env = Object.entries(plan.env).map(([k, v]) => `${k}=${v}`).join(' ');
    return { engine, status: 'planned', message: `onnxruntime-node: would run \`${env} node ${plan.shim ? '-r <feed shim> ' : ''}script/install.js\` in ${plan.pkgDir}, resolving ${plan.nugetId} ${plan.nugetVersion} from ${plan.feedIndex} ({PackageBaseAddress}${plan.nupkgPath}) → ${plan.files.join(', ')}`, missingLibs: wanted };
  }
  const libsAfter = () => [...new Set([...wanted, ...unresolvedByLdd(plan.files[0])])];
  if (plan.files.every((f) => existsSync(f))) return { engine, status: 'installed', message: `onnxruntime-node: CUDA execution provider already installed (${plan.files[0]})`, missingLibs: libsAfter() };
  const why = await reachable(plan.feedIndex, probeMs);
  if (why) return { engine, status: 'failed', message: `onnxruntime-node: ${why}; nothing was changed. ${/HTTP 404/.test(why) ? 'The mirror lacks the NuGet service index (docs/gpu.md).' : NETWORK_HINT}`, missingLibs: wanted };
  const r = await guarded('onnxruntime-node', plan.pkgDir, () => installOrtCuda(plan, timeoutMs));
  return { engine, status: r.ok ? 'installed' : 'failed', message: r.message, missingLibs: r.ok ? libsAfter() : wanted };
}
