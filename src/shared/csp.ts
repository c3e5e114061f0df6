/** The Content-Security-Policy both shells send with the renderer. No inline or eval script, no foreign origins. */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // React and echarts set element styles; inline style attributes are allowed, inline scripts never
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
