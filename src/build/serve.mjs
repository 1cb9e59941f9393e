// `npm start`: serves the built app (dist/) on http://localhost:8080 (PORT to change).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startDevServer } from '@web/dev-server';
import { DIST } from './paths.mjs';

if (!existsSync(join(DIST, 'index.html'))) {
  console.error('serve: dist/index.html not found; run npm run build first');
  process.exit(1);
}

const port = Number(process.env.PORT ?? 8080);
await startDevServer({
  config: { rootDir: DIST, port, hostname: 'localhost', nodeResolve: false, watch: false },
  readCliArgs: false,
  readFileConfig: false,
  logStartMessage: false,
});
console.log(`memscope: http://localhost:${port}/`);
