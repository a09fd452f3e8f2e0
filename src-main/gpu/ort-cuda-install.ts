// Installs onnxruntime-node's CUDA execution provider by running the package's own postinstall,
// `node script/install.js`, with its documented switch ONNXRUNTIME_NODE_INSTALL=true ("force
// install the files that are not bundled", script/install.js; on linux/x64 that is exactly the
// 'cuda12' manifest). Not `=cuda12`: in 1.30.0 install-utils.js parseInstallFlag falls out of its
// switch for any other string and returns undefined, so `=cuda12` silently means "default", which
// exits early whenever npm's npm_config_local_prefix/npm_package_json describe a local install
// (e.g. under `npx`/`npm run`). We also drop those two variables. The script resolves the NuGet
// package named in script/install-metadata.js (Microsoft.ML.OnnxRuntime.Gpu.Linux, the version in
// install-metadata-versions.js) through the NuGet v3 API — index.json → PackageBaseAddress →
// {base}{id}/index.json → {base}{id}/{ver}/{id}.{ver}.nupkg — and copies
// runtimes/linux-x64/native/libonnxruntime_providers_{cuda,shared,tensorrt}.so into
// bin/napi-v6/linux/x64/, next to the bundled libonnxruntime.so.1.
//
// The feed URL is fixed in install-metadata.js and fetched with https.get only, so for --mirror a
// preloaded shim (-r) swaps that one field in the same metadata object the script then requires,
// and lets http: URLs through (a LAN mirror); the script itself runs unmodified. A failed run is
// rolled back: the script can copy some of the three files before failing on the next.
import { mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InstallTransaction, runScript, telling } from './run-script';
import type { InstallOutcome } from './tfjs-gpu-install';

const nodeRequire = createRequire(import.meta.url);

export interface OrtCudaPlan {
  pkgDir: string;
  /** NuGet package id and version the script resolves. */
  nugetId: string;
  nugetVersion: string;
  /** NuGet v3 service index the script starts from. */
  feedIndex: string;
  /** Path of the .nupkg under the feed's PackageBaseAddress. */
  nupkgPath: string;
  /** Files the CUDA EP needs, where the script puts them. */
  files: string[];
  env: Record<string, string>;
  command: string[];
  /** Set when we run the script with the feed shim (mirror given). */
  shim: boolean;
}

interface Metadata {
  manifests: Record<string, Record<string, { package: string; path: string }>>;
  packages: Record<string, { name: string; versions: { feed: string; version: string }[] }>;
  feeds: Record<string, { type: string; index: string }>;
}

const SHIM = `// LensDesk: point onnxruntime-node's install script at a NuGet mirror (see src-main/gpu/ort-cuda-install.ts).
const path = require('path'), http = require('http'), https = require('https');
const index = process.env.LENSDESK_ORT_NUGET_INDEX;
if (index) {
  const meta = require(path.join(process.cwd(), 'script', 'install-metadata.js'));
  meta.feeds.nuget.index = index;
  const get = https.get;
  https.get = function (url, ...rest) { return String(url).startsWith('http:') ? http.get(url, ...rest) : get.call(https, url, ...rest); };
}
`;

export function planOrtCuda(pkgDir: string, opts: { mirror?: string; nugetIndex?: string; nodePath?: string }): OrtCudaPlan {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`onnxruntime-node ships its CUDA execution provider only for linux x64 (script/install-metadata.js requirements); this is ${process.platform}/${process.arch}`);
  }
  const meta = nodeRequire(join(pkgDir, 'script', 'install-metadata.js')) as Metadata;
  const manifest = meta.manifests['linux/x64:cuda12'];
  if (!manifest) throw new Error(`${join(pkgDir, 'script', 'install-metadata.js')} has no 'linux/x64:cuda12' manifest; this onnxruntime-node version is not one LensDesk knows how to set up`);
  const pkgKey = Object.values(manifest)[0].package;
  const pkgInfo = meta.packages[pkgKey];
  const { version, feed } = pkgInfo.versions[0];
  const id = pkgInfo.name.toLowerCase();
  const mirrorIndex = opts.nugetIndex ?? (opts.mirror ? `${opts.mirror.replace(/\/$/, '')}/v3/index.json` : undefined);
  const binFolder = join(pkgDir, 'bin', 'napi-v6', 'linux', 'x64');
  const env: Record<string, string> = { ONNXRUNTIME_NODE_INSTALL: 'true' };
  if (mirrorIndex) env.LENSDESK_ORT_NUGET_INDEX = mirrorIndex;
  if (opts.nodePath) env.NODE_PATH = opts.nodePath;
  return {
    pkgDir,
    nugetId: pkgInfo.name,
    nugetVersion: version,
    feedIndex: mirrorIndex ?? meta.feeds[feed].index,
    nupkgPath: `${id}/${version.toLowerCase()}/${id}.${version.toLowerCase()}.nupkg`,
    files: Object.keys(manifest).map((f) => join(binFolder, f)),
    env,
    command: [process.execPath, ...(mirrorIndex ? ['-r', '<shim>'] : []), 'script/install.js'],
    shim: !!mirrorIndex,
  };
}

export async function installOrtCuda(plan: OrtCudaPlan, timeoutMs: number, onLine?: (l: string) => void): Promise<InstallOutcome> {
  const shimDir = mkdtempSync(join(tmpdir(), 'lensdesk-ort-shim-'));
  const shimFile = join(shimDir, 'ort-feed-shim.cjs');
  writeFileSync(shimFile, SHIM);
  const args = plan.command.slice(1).map((a) => (a === '<shim>' ? shimFile : a));
  const tx = new InstallTransaction(plan.files.map((path) => ({ path })));
  let r;
  try {
    const env = { ...process.env, ...plan.env };
    delete env.npm_config_local_prefix;
    delete env.npm_package_json;
    r = await runScript(plan.command[0], args, { cwd: plan.pkgDir, env, timeoutMs, onLine });
  } catch (e) {
    tx.rollback();
    throw e;
  } finally {
    rmSync(shimDir, { recursive: true, force: true });
  }
  const missing = plan.files.filter((f) => !existsSync(f) || statSync(f).size === 0);
  if (r.code === 0 && !r.timedOut && missing.length === 0) {
    tx.commit();
    return { ok: true, message: `onnxruntime-node: CUDA execution provider ${plan.nugetId} ${plan.nugetVersion} → ${plan.files.join(', ')}`, output: r.output };
  }
  tx.rollback();
  const how = r.timedOut ? `timed out after ${Math.round(timeoutMs / 1000)} s` : r.code !== 0 ? `script/install.js exited ${r.code}: ${telling(r.output)}` : `script/install.js exited 0 but ${missing.join(', ')} missing`;
  return {
    ok: false,
    message: `onnxruntime-node: could not install the CUDA execution provider (${plan.nugetId} ${plan.nugetVersion}, feed ${plan.feedIndex}, package path ${plan.nupkgPath}): ${how}; nothing was changed in ${plan.pkgDir}.`,
    output: r.output,
  };
}
