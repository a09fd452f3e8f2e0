// Browser-mode entry (plain Node, no Electron import): `node out/main/serve.js [--workspace DIR]`.
// Used by `npm start` when the Electron binary is absent, and by the e2e tests.
import { runServe } from './run-serve';

runServe(process.argv.slice(2)).then(
  (code) => {
    if (code !== null) process.exitCode = code;
  },
  (e) => {
    console.error(e?.message ?? e);
    process.exitCode = 1;
  },
);
