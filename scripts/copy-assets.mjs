// tsc copies only what it compiles: this copies the non-TypeScript files that
// ship with the services (the web console, the lexical engine's word vectors)
// to the same place under dist/.
// Plain .mjs so `npm run build` needs nothing but Node.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ASSET_DIRS = ['services/coordinator/console', 'services/shard/engines/lexical/semantic/vectors'];

for (const dir of ASSET_DIRS) {
  const from = join(root, dir);
  const to = join(root, 'dist', dir);
  if (!existsSync(from)) throw new Error(`copy-assets: ${from} is missing`);
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true });
}
