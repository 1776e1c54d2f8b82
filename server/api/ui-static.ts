import fs from 'node:fs';
import path from 'node:path';
import express from 'express';

/**
 * Serves the editor's production build (ui/dist) at `/`, with index.html for client-side
 * routes. When no build exists it says how to make one instead of a blank page.
 */
export function createUiStatic(distDir: string): express.Router {
  const router = express.Router();
  const index = path.join(distDir, 'index.html');
  router.use(express.static(distDir, { index: false, maxAge: '1h', setHeaders: (res, file) => {
    if (file.endsWith('index.html')) res.setHeader('cache-control', 'no-cache');
  } }));
  router.get(/^\/(?!api\/|webhooks\/|events\/|healthz|metrics).*/, (_req, res) => {
    if (!fs.existsSync(index)) {
      res.status(503).type('text/plain').send('The editor is not built. Run "npm run build:ui" (npm start does it for you), then reload.\n');
      return;
    }
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
