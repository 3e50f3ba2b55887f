/**
 * The web console at `/`: static files (plain HTML, CSS and JS, no build step)
 * shipped in the package next to this module — services/coordinator/console
 * in the source tree, dist/services/coordinator/console once built (the build
 * copies it). The page calls the same /v1 API as every client.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from './deps.js';

export const CONSOLE_DIR = fileURLToPath(new URL('../console/', import.meta.url));

/** Only our own files, nothing inline, no framing: document text the page shows can never run as code. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export function registerConsole(server: FastifyInstance, deps: Pick<HttpDeps, 'log'>): void {
  if (!existsSync(join(CONSOLE_DIR, 'index.html'))) {
    deps.log.warn({ dir: CONSOLE_DIR }, 'web console files are missing (run "npm run build", which copies them): / will answer 404');
    return;
  }
  void server.register(fastifyStatic, {
    root: CONSOLE_DIR,
    prefix: '/',
    // One route per file present at start: unknown paths fall through to the API's 404.
    wildcard: false,
    // bull-board registers its own @fastify/static; only one may decorate the reply.
    decorateReply: false,
    index: ['index.html'],
    cacheControl: false,
    setHeaders: (reply) => {
      reply.header('content-security-policy', CSP);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('cache-control', 'no-cache');
    },
  });
}
