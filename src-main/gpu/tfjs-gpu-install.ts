// Installs @tensorflow/tfjs-node-gpu's native parts by running the package's own install script,
// `node scripts/install.js gpu download` (its package.json "install" script, which LensDesk's
// "allowScripts" disables so offline `npm install` succeeds). That script:
//   1. downloads `${TFJS_NODE_BASE_URI or CDN + 'tensorflow/libtensorflow/libtensorflow-'}gpu-linux-x86_64-2.9.1.tar.gz`
//      (CDN = TFJS_NODE_CDN_STORAGE | npm_config_TFJS_NODE_CDN_STORAGE | CDN_STORAGE, default
//      https://storage.googleapis.com/) and unpacks it into deps/ (deps/lib/libtensorflow.so.2.9.1);
//   2. runs `node-pre-gyp install --fallback-to-build`, which fetches
//      `${binary.host}/napi-v{N}/{version}/GPU-linux-{version}.tar.gz` (host overridable with
//      npm_config_tfjs_binding_binary_host_mirror) into lib/napi-v{N}/tfjs_binding.node, whose
//      rpath ($ORIGIN/../../deps/lib, binding.gyp) finds the library from step 1.
// We only set those variables (for --mirror), put node-pre-gyp on PATH as npm would, and wrap the
// run in a transaction: the upstream script deletes deps/ first, has no HTTP status check and
// rewrites package.json mid-way, so on any failure we restore deps/, lib/ and package.json.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InstallTransaction, runScript, telling } from './run-script';

const nodeRequire = createRequire(import.meta.url);
const GOOGLE_STORAGE = 'https://storage.googleapis.com/';

export interface TfjsGpuPlan {
  pkgDir: string;
  version: string;
  libtensorflowVersion: string;
  libtensorflowUrl: string;
  addonUrl: string;
  /** Where the library lands (deps-constants.js depsLibTensorFlowPath). */
  libFile: string;
  /** Where the addon lands (node-pre-gyp's module_path). */
  addonFile: string;
  /** Variables set for the script beyond the inherited environment. */
  env: Record<string, string>;
  command: string[];
}

export interface PlanOptions {
  /** Base URL laid out like storage.googleapis.com (tensorflow/libtensorflow/…, tf-builds/pre-built-binary/…). */
  mirror?: string;
  /** node_modules/.bin holding node-pre-gyp (npm puts it on PATH for install scripts). */
  binDir: string;
  /** node_modules that holds the script's own dependencies (tar, rimraf, node-pre-gyp), for copies of the package elsewhere. */
  nodePath?: string;
  /** Let node-pre-gyp compile the addon with node-gyp when its download fails (needs a C++ toolchain). */
  allowSourceBuild?: boolean;
}

const slash = (u: string) => (u.endsWith('/') ? u : `${u}/`);

function napiBuildVersion(versions: number[]): number {
  // node-pre-gyp's get_best_napi_build_version: the highest listed version this Node supports.
  const ours = Number(process.versions.napi);
  return Math.max(...versions.filter((v) => v <= ours));
}

export function planTfjsGpu(pkgDir: string, opts: PlanOptions): TfjsGpuPlan {
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string; binary: { host: string; remote_path: string; module_path: string; module_name: string; napi_versions: number[] } };
  const consts = nodeRequire(join(pkgDir, 'scripts', 'deps-constants.js')) as { LIBTENSORFLOW_VERSION: string; depsLibTensorFlowPath: string; customTFLibUri?: string };
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`tfjs-node-gpu ships a GPU libtensorflow only for linux x64 and windows x64 (scripts/deps-constants.js ALL_SUPPORTED_COMBINATION); this is ${process.platform}/${process.arch}`);
  }
  const napi = napiBuildVersion(pkg.binary.napi_versions);
  const cdn = opts.mirror ? slash(opts.mirror) : (process.env.TFJS_NODE_CDN_STORAGE ?? process.env.npm_config_TFJS_NODE_CDN_STORAGE ?? process.env.CDN_STORAGE ?? GOOGLE_STORAGE);
  const base = (!opts.mirror && (process.env.TFJS_NODE_BASE_URI ?? process.env.npm_config_TFJS_NODE_BASE_URI)) || `${cdn}tensorflow/libtensorflow/libtensorflow-`;
  const libtensorflowUrl = consts.customTFLibUri ?? `${base}gpu-linux-x86_64-${consts.LIBTENSORFLOW_VERSION}.tar.gz`;
  const mirrorVar = `npm_config_${pkg.binary.module_name.replace('-', '_')}_binary_host_mirror`;
  const host = opts.mirror ? `${slash(opts.mirror)}tf-builds/pre-built-binary/` : (process.env[mirrorVar] ?? pkg.binary.host);
  const remote = pkg.binary.remote_path.replace('{napi_build_version}', String(napi)).replace('{version}', pkg.version).replace(/^\.\//, '');
  const addonUrl = `${slash(host)}${remote}GPU-linux-${pkg.version}.tar.gz`;
  const env: Record<string, string> = {
    PATH: `${opts.binDir}:${process.env.PATH ?? ''}`,
  };
  if (opts.mirror) {
    env.TFJS_NODE_CDN_STORAGE = cdn;
    env[mirrorVar] = host;
  }
  if (opts.nodePath) env.NODE_PATH = opts.nodePath;
  // node-pre-gyp honours `--fallback-to-build false` only through npm's cooked argv (lib/install.js).
  if (!opts.allowSourceBuild) env.npm_config_argv = JSON.stringify({ cooked: ['--fallback-to-build', 'false'] });
  return {
    pkgDir,
    version: pkg.version,
    libtensorflowVersion: consts.LIBTENSORFLOW_VERSION,
    libtensorflowUrl,
    addonUrl,
    libFile: consts.depsLibTensorFlowPath,
    addonFile: join(pkgDir, pkg.binary.module_path.replace('{napi_build_version}', String(napi)), `${pkg.binary.module_name}.node`),
    env,
    command: [process.execPath, 'scripts/install.js', 'gpu', 'download'],
  };
}

export interface InstallOutcome {
  ok: boolean;
  /** One paragraph: what was installed where, or what failed, at which URL, and what to do. */
  message: string;
  output: string;
}

const nonEmpty = (f: string) => existsSync(f) && statSync(f).size > 0;

export async function installTfjsGpu(plan: TfjsGpuPlan, timeoutMs: number, onLine?: (l: string) => void): Promise<InstallOutcome> {
  const depsDir = dirname(dirname(plan.libFile));
  const libDir = join(plan.pkgDir, 'lib');
  const tx = new InstallTransaction([{ path: depsDir }, { path: libDir }, { path: join(plan.pkgDir, 'package.json'), copy: true }]);
  let r;
  try {
    r = await runScript(plan.command[0], plan.command.slice(1), { cwd: plan.pkgDir, env: { ...process.env, ...plan.env }, timeoutMs, onLine });
  } catch (e) {
    tx.rollback();
    throw e;
  }
  const haveLib = nonEmpty(plan.libFile);
  const haveAddon = nonEmpty(plan.addonFile);
  if (r.code === 0 && !r.timedOut && haveLib && haveAddon) {
    tx.commit();
    return { ok: true, message: `tfjs-node-gpu: libtensorflow ${plan.libtensorflowVersion} (GPU) → ${plan.libFile}; addon → ${plan.addonFile}`, output: r.output };
  }
  tx.rollback();
  const step = !haveLib ? `libtensorflow from ${plan.libtensorflowUrl}` : `the native addon from ${plan.addonUrl}`;
  const how = r.timedOut ? `timed out after ${Math.round(timeoutMs / 1000)} s` : r.code !== 0 ? `scripts/install.js exited ${r.code}: ${telling(r.output)}` : `scripts/install.js exited 0 but ${!haveLib ? plan.libFile : plan.addonFile} is missing or empty`;
  return { ok: false, message: `tfjs-node-gpu: could not install ${step} (${how}); nothing was changed in ${plan.pkgDir}.`, output: r.output };
}
