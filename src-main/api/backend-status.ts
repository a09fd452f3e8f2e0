// Which compute backend the app would use, for the status bar. The full selection
// (tfjs-node-gpu → tfjs-node → wasm → cpu) lives in src-main/backend/; this reads its cached result.
let status: { name: string; detail: string } = { name: 'not loaded', detail: 'no model has run yet in this process' };
export const backendStatus = () => status;
export const setBackendStatus = (s: { name: string; detail: string }) => {
  status = s;
};
