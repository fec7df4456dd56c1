import { defineConfig } from 'vite';

// Served by the producer at /console: every asset URL starts there. Nothing is inlined into the
// page (the producer's Content-Security-Policy allows no inline script or style), and the page
// loads no font, script or style from any other host.
export default defineConfig({
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
