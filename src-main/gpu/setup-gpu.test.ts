// `lensdesk setup gpu` against a local mirror (no network): the packages' own install scripts run
// on copies of the packages, fetch small fake archives laid out at the upstream paths, and the
// files must land where each package looks for them; failures must name the URL or what is
// missing and leave nothing half-installed.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { copyPackages, type Mirror, REAL_NODE_MODULES, startMirror, tarGz, zip } from '../../test/gpu-mirror';
import { CUDA_LIBS } from './detect';
import { setupGpu, type SetupGpuOptions } from './setup';
import { gpuStatus } from './status';
import type { BackendSelection } from '../backend/select';

const SUPPORTED = process.platform === 'linux' && process.arch === 'x64';
// Paths fixed by the packages themselves (independent of LensDesk's code):
// tfjs-node-gpu 4.22.0 scripts/deps-constants.js LIBTENSORFLOW_VERSION = '2.9.1'; package.json binary.napi_versions
// tops out at 8, and Node ≥ 18 has N-API ≥ 8, so node-pre-gyp picks napi-v8.
const LIBTF_PATH = '/tensorflow/libtensorflow/libtensorflow-gpu-linux-x86_64-2.9.1.tar.gz';
const ADDON_PATH = '/tf-builds/pre-built-binary/napi-v8/4.22.0/GPU-linux-4.22.0.tar.gz';
// onnxruntime-node 1.30.0 script/install-metadata.js: NuGet Microsoft.ML.OnnxRuntime.Gpu.Linux 1.30.0.
const FLAT = '/v3-flatcontainer/microsoft.ml.onnxruntime.gpu.linux';
const NUPKG_PATH = `${FLAT}/1.30.0/microsoft.ml.onnxruntime.gpu.linux.1.30.0.nupkg`;
const NATIVE = 'runtimes/linux-x64/native';
const ORT_FILES = ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so', 'libonnxruntime_providers_tensorrt.so'];

const libtfArchive = () =>
  tarGz({
    'include/tensorflow/c/c_api.h': '/* fake */\n',
    'lib/libtensorflow.so.2.9.1': 'FAKE-LIBTENSORFLOW-GPU',
    'lib/libtensorflow_framework.so.2.9.1': 'FAKE-FRAMEWORK',
    LICENSE: 'fake',
  });
const addonArchive = () => tarGz({ 'napi-v8/tfjs_binding.node': 'FAKE-ADDON' });
const nupkg = (files = ORT_FILES) => zip(Object.fromEntries(files.map((f) => [`${NATIVE}/${f}`, `FAKE-${f}`])));

function serveAll(m: Mirror): void {
  m.routes.set(LIBTF_PATH, { body: libtfArchive() });
  m.routes.set(ADDON_PATH, { body: addonArchive() });
  m.routes.set('/v3/index.json', { type: 'application/json', body: JSON.stringify({ version: '3.0.0', resources: [{ '@id': '{BASE}/v3-flatcontainer/', '@type': 'PackageBaseAddress/3.0.0' }] }) });
  m.routes.set(`${FLAT}/index.json`, { type: 'application/json', body: JSON.stringify({ versions: ['1.29.0', '1.30.0'] }) });
  m.routes.set(NUPKG_PATH, { body: nupkg() });
}

describe.skipIf(!SUPPORTED)('lensdesk setup gpu against a local mirror (linux x64 only: the only platform both packages ship CUDA builds for)', () => {
  let mirror: Mirror;
  let pk: ReturnType<typeof copyPackages>;
  const lines: string[] = [];
  const opts = (extra: Partial<SetupGpuOptions> = {}): SetupGpuOptions => ({
    mirror: mirror.url,
    tfjsDir: pk.tfjsDir,
    ortDir: pk.ortDir,
    binDir: join(REAL_NODE_MODULES, '.bin'),
    nodePath: REAL_NODE_MODULES,
    driver: { present: true, version: '550.54.15', detail: 'test' },
    libs: new Set(['libcudart.so.12']),
    timeoutMs: 60_000,
    probeTimeoutMs: 3000,
    log: (l) => lines.push(l),
    ...extra,
  });
  const libFile = () => join(pk.tfjsDir, 'deps', 'lib', 'libtensorflow.so.2.9.1');
  const addonFile = () => join(pk.tfjsDir, 'lib', 'napi-v8', 'tfjs_binding.node');
  const ortFile = (f: string) => join(pk.ortDir, 'bin', 'napi-v6', 'linux', 'x64', f);

  beforeAll(async () => {
    mirror = await startMirror();
    pk = copyPackages();
  }, 60_000);
  afterAll(async () => {
    await mirror?.close();
    if (pk) rmSync(pk.root, { recursive: true, force: true });
  });
  afterEach(() => {
    mirror.routes.clear();
    mirror.requests.length = 0;
    lines.length = 0;
    rmSync(join(pk.tfjsDir, 'deps'), { recursive: true, force: true });
    rmSync(join(pk.tfjsDir, 'lib'), { recursive: true, force: true });
    for (const f of ORT_FILES) rmSync(ortFile(f), { force: true });
  });

  it('installs both through their own scripts: files land where each package loads them, from the upstream paths', async () => {
    serveAll(mirror);
    const pkgJsonBefore = JSON.parse(readFileSync(join(pk.tfjsDir, 'package.json'), 'utf8'));
    const r = await setupGpu(opts());
    expect(r.steps.map((s) => [s.engine, s.status]), lines.join('\n')).toEqual([['tfjs', 'installed'], ['onnxruntime', 'installed']]);
    expect(r.ok).toBe(true);
    expect(readFileSync(libFile(), 'utf8')).toBe('FAKE-LIBTENSORFLOW-GPU');
    expect(readFileSync(join(pk.tfjsDir, 'deps', 'include', 'tensorflow', 'c', 'c_api.h'), 'utf8')).toContain('fake');
    expect(readFileSync(addonFile(), 'utf8')).toBe('FAKE-ADDON');
    for (const f of ORT_FILES) expect(readFileSync(ortFile(f), 'utf8')).toBe(`FAKE-${f}`);
    const gets = mirror.requests.filter((q) => q.method === 'GET').map((q) => q.path);
    expect(gets).toEqual(expect.arrayContaining([LIBTF_PATH, ADDON_PATH, '/v3/index.json', `${FLAT}/index.json`, NUPKG_PATH]));
    // install.js rewrites binary.package_name while node-pre-gyp runs and must put it back.
    expect(JSON.parse(readFileSync(join(pk.tfjsDir, 'package.json'), 'utf8')).binary).toEqual(pkgJsonBefore.binary);
    expect(existsSync(join(pk.tfjsDir, 'deps.lensdesk-bak'))).toBe(false);
    // The CUDA 11 libraries libtensorflow 2.9.1 opens are not in the injected set: reported, not fatal.
    expect(r.steps[0].missingLibs).toContain('libcudnn.so.8');

    // `lensdesk backend` now reports the GPU paths: given the driver and every CUDA library, tfjs is on CUDA
    // and the onnxruntime CUDA EP counts as installed; without cuDNN 8, tfjs says it runs on the CPU and why.
    const driver = { present: true, version: '550.54.15', detail: 'test' };
    const sel: BackendSelection = { candidate: 'tfjs-node-gpu', tfBackend: 'tensorflow', notes: [], attempts: [{ candidate: 'tfjs-node-gpu', ok: true, ms: 1 }] };
    const all = new Set<string>([...CUDA_LIBS.tfjs, ...CUDA_LIBS.onnxruntime]);
    const st = await gpuStatus(sel, { driver, libs: all, tfjsDir: pk.tfjsDir, ortDir: pk.ortDir });
    expect(st.tfjs).toMatchObject({ installed: true, gpu: true, missingLibs: [] });
    expect(st.tfjs.line).toBe('tfjs: tfjs-node-gpu (CUDA)');
    expect(st.onnxruntime.installed).toBe(true);
    // …and scoring sessions would ask for the CUDA EP (ort-provider.ts), unless LENSDESK_ORT_PROVIDER=cpu
    expect(st.onnxruntime.gpu).toBe(true);
    expect(st.onnxruntime.line).toMatch(/^onnxruntime: CUDA execution provider for scoring/);
    const noCudnn = new Set([...all].filter((l) => l !== 'libcudnn.so.8' && l !== 'libcudnn.so.9'));
    const st2 = await gpuStatus(sel, { driver, libs: noCudnn, tfjsDir: pk.tfjsDir, ortDir: pk.ortDir });
    expect(st2.tfjs.gpu).toBe(false);
    expect(st2.tfjs.line).toMatch(/run on the CPU: .*libcudnn\.so\.8/);
    expect(st2.onnxruntime.line).toMatch(/not CUDA: .*libcudnn\.so\.9/);
  }, 120_000);

  it('`lensdesk backend` status before setup: names the missing files and the command to fetch them', async () => {
    const sel: BackendSelection = { candidate: 'wasm', tfBackend: 'wasm', notes: [], attempts: [{ candidate: 'tfjs-node-gpu', ok: false, error: 'The Node.js native addon module (tfjs_binding.node) can not be found' }] };
    const st = await gpuStatus(sel, { driver: { present: false, detail: 'no NVIDIA driver: /proc/driver/nvidia/version absent' }, libs: new Set(), tfjsDir: pk.tfjsDir, ortDir: pk.ortDir });
    expect(st.tfjs.installed).toBe(false);
    expect(st.tfjs.line).toContain(join(pk.tfjsDir, 'deps', 'lib', 'libtensorflow.so.2.9.1'));
    expect(st.tfjs.line).toContain('lensdesk setup gpu');
    expect(st.onnxruntime.line).toMatch(/libonnxruntime_providers_cuda\.so.*not installed.*lensdesk setup gpu/);
  });

  it('a 404 on the mirror names the URL and changes nothing', async () => {
    serveAll(mirror);
    mirror.routes.delete(LIBTF_PATH);
    const r = await setupGpu(opts({ only: ['tfjs'] }));
    expect(r.ok).toBe(false);
    expect(r.steps[0].message).toContain(`${mirror.url}${LIBTF_PATH}`);
    expect(r.steps[0].message).toMatch(/HTTP 404/);
    expect(existsSync(join(pk.tfjsDir, 'deps'))).toBe(false);
  }, 60_000);

  it('an unreachable mirror names the URL and the connection error', async () => {
    const closed = await startMirror();
    const url = closed.url;
    await closed.close();
    const r = await setupGpu(opts({ mirror: url }));
    expect(r.ok).toBe(false);
    expect(r.steps[0].message).toContain(`${url}${LIBTF_PATH}`);
    expect(r.steps[1].message).toContain(`${url}/v3/index.json`);
    for (const s of r.steps) expect(s.message).toMatch(/ECONNREFUSED/);
  }, 60_000);

  it('no NVIDIA driver: says what is missing and downloads nothing', async () => {
    serveAll(mirror);
    const r = await setupGpu(opts({ driver: { present: false, detail: 'no NVIDIA driver: /proc/driver/nvidia/version absent and nvidia-smi not on PATH' } }));
    expect(r.ok).toBe(false);
    expect(r.steps[0].message).toMatch(/no NVIDIA driver.*\/proc\/driver\/nvidia\/version absent.*nvidia-smi/);
    expect(mirror.requests).toEqual([]);
    expect(existsSync(libFile())).toBe(false);
  });

  it('a corrupt libtensorflow archive is rejected and the previous deps/ is restored', async () => {
    serveAll(mirror);
    mirror.routes.set(LIBTF_PATH, { body: Buffer.from('this is not a gzip stream at all'.repeat(40)) });
    mkdirSync(join(pk.tfjsDir, 'deps', 'lib'), { recursive: true });
    writeFileSync(join(pk.tfjsDir, 'deps', 'lib', 'previous.txt'), 'kept');
    const r = await setupGpu(opts({ only: ['tfjs'] }));
    expect(r.ok, lines.join('\n')).toBe(false);
    expect(r.steps[0].message).toContain(`${mirror.url}${LIBTF_PATH}`);
    expect(r.steps[0].message).toMatch(/scripts\/install\.js exited [1-9]\d*: .*TAR_/);
    expect(existsSync(libFile())).toBe(false);
    expect(existsSync(addonFile())).toBe(false);
    expect(readFileSync(join(pk.tfjsDir, 'deps', 'lib', 'previous.txt'), 'utf8')).toBe('kept');
    expect(mirror.requests.some((q) => q.method === 'GET' && q.path === LIBTF_PATH)).toBe(true);
  }, 60_000);

  it('a corrupt or incomplete NuGet package leaves none of the CUDA EP files behind', async () => {
    serveAll(mirror);
    mirror.routes.set(NUPKG_PATH, { body: Buffer.from('PK-not-really-a-zip') });
    let r = await setupGpu(opts({ only: ['onnxruntime'] }));
    expect(r.ok).toBe(false);
    expect(r.steps[0].message).toMatch(/Failed to open NuGet package/);
    expect(r.steps[0].message).toContain(`${mirror.url}/v3/index.json`);
    for (const f of ORT_FILES) expect(existsSync(ortFile(f))).toBe(false);
    // The script copies entries one by one: with the second one absent, the first was already copied.
    mirror.routes.set(NUPKG_PATH, { body: nupkg([ORT_FILES[0]]) });
    r = await setupGpu(opts({ only: ['onnxruntime'] }));
    expect(r.ok).toBe(false);
    expect(r.steps[0].message).toContain(`${NATIVE}/${ORT_FILES[1]}`);
    for (const f of ORT_FILES) expect(existsSync(ortFile(f))).toBe(false);
  }, 60_000);

  it('--dry-run prints the URLs and destinations and fetches nothing; --cuda 11 skips the CUDA-12-only onnxruntime EP', async () => {
    serveAll(mirror);
    const r = await setupGpu(opts({ dryRun: true }));
    expect(r.steps.map((s) => s.status)).toEqual(['planned', 'planned']);
    expect(r.steps[0].message).toContain(`${mirror.url}${LIBTF_PATH}`);
    expect(r.steps[0].message).toContain(`${mirror.url}${ADDON_PATH}`);
    expect(r.steps[1].message).toContain(`${mirror.url}/v3/index.json`);
    expect(mirror.requests).toEqual([]);
    const r11 = await setupGpu(opts({ dryRun: true, cuda: 11 }));
    expect(r11.steps[1].status).toBe('skipped');
    expect(r11.steps[1].message).toMatch(/CUDA 12 only/);
  });
});
