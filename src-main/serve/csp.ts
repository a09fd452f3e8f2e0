// The Content-Security-Policy for the renderer, shared by the Electron window and browser mode.
// No inline scripts, no eval, no remote origins. Images and FITS come from the app's own origin
// (lensdesk://app/img/... in Electron, http://127.0.0.1:PORT/img/... in browser mode).
export function contentSecurityPolicy(mode: 'electron' | 'browser'): string {
  const connect = mode === 'electron' ? "'self'" : "'self' ws://127.0.0.1:* ws://localhost:*";
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    `connect-src ${connect}`,
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
