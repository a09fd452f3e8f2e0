// `npm test`: unit/integration tests (vitest) then end-to-end tests (Playwright, Debian Chromium),
// each under a hard time limit, then one summary line "N passed, N failed, N skipped".
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (n) => join(root, 'node_modules', '.bin', n);
mkdirSync(join(root, 'test-results'), { recursive: true });

function run(cmd, args, limitMs, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env }, detached: true });
    const timer = setTimeout(() => {
      console.error(`\n[npm test] ${cmd.split('/').pop()} exceeded ${limitMs / 60000} min: stopping it`);
      try { process.kill(-child.pid, 'SIGKILL'); } catch { child.kill('SIGKILL'); }
    }, limitMs);
    child.on('exit', (code, sig) => {
      clearTimeout(timer);
      resolve(code ?? (sig ? 1 : 0));
    });
  });
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const readJson = (p) => (existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) : null);

// 1. Build (the e2e tests and CLI tests run the built app).
let code = await run(bin('electron-vite'), ['build', '--logLevel', 'warn'], 5 * 60_000);
if (code !== 0) {
  console.error('[npm test] build failed');
  process.exit(code);
}

// 2. Unit + integration tests.
const unitCode = await run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/unit.json'], 40 * 60_000);
const unit = readJson(join(root, 'test-results', 'unit.json'));
if (unit) {
  totals.passed += unit.numPassedTests;
  // A test file that fails to load has no failed tests of its own: count it as a failure too.
  totals.failed += unit.numFailedTests + (unit.numFailedTestSuites ?? 0);
  totals.skipped += unit.numPendingTests + (unit.numTodoTests ?? 0);
} else totals.failed += 1;

// 3. End-to-end tests.
let e2eCode = 0;
if (!process.env.LENSDESK_SKIP_E2E) {
  const chromium = process.env.LENSDESK_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    console.error(`[npm test] ${chromium} not found: install Debian's chromium (apt-get install chromium), or run .ci/run which does.`);
    totals.failed += 1;
    e2eCode = 1;
  } else {
    e2eCode = await run(bin('playwright'), ['test'], 25 * 60_000);
    const e2e = readJson(join(root, 'test-results', 'e2e.json'));
    if (e2e?.stats) {
      totals.passed += e2e.stats.expected;
      totals.failed += e2e.stats.unexpected + (e2e.stats.flaky ?? 0);
      totals.skipped += e2e.stats.skipped;
    } else totals.failed += 1;
  }
}

console.log(`\nunit: ${unit ? `${unit.numPassedTests} passed, ${unit.numFailedTests} failed, ${unit.numPendingTests} skipped` : 'no report'}`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(unitCode !== 0 || e2eCode !== 0 || totals.failed > 0 ? 1 : 0);
