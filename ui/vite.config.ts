import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const uiRoot = path.dirname(fileURLToPath(import.meta.url));
// `npm run dev:ui` talks to a flowbridge started with `npm start` (port 8080 unless FLOWBRIDGE_URL says otherwise).
const backend = process.env.FLOWBRIDGE_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: uiRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir: path.join(uiRoot, 'dist'),
    emptyOutDir: true,
    sourcemap: false,
    // The editor runs flows/ validation, patterns and transforms in the browser (ajv, JSONata,
    // Handlebars): a large but single, cacheable vendor chunk is the honest trade-off.
    chunkSizeWarningLimit: 1200,
  },
  server: {
    port: 5173,
    strictPort: false,
    proxy: Object.fromEntries(['/api', '/webhooks', '/events', '/healthz'].map((p) => [p, { target: backend, changeOrigin: false }])),
  },
});
