/**
 * Headers every response carries, whatever answered it: `nosniff`, so a
 * browser never reads a JSON body holding document text as HTML or script,
 * and `X-Frame-Options: DENY`, so no page can frame the console or the queue
 * dashboard. The queue dashboard (bull-board, not our code) also gets a
 * Content-Security-Policy: its own scripts and styles only, no framing, no
 * third-party origins (its Google Fonts stylesheet falls back to local fonts).
 * The console sets its own, stricter policy (console.ts).
 */
import type { FastifyInstance } from 'fastify';
import { routeAccess } from './route-access.js';

/**
 * bull-board's page needs inline style attributes and a <style> element (its loading spinner, React's
 * inline styles) and a <base href> pointing at its own path; everything else is same-origin.
 */
export const QUEUE_DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'self'; frame-ancestors 'none'";

/** On every response; framework-errors.ts sets them too, for the errors Fastify answers before any hook runs. */
export const SECURITY_HEADERS = { 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' } as const;

export function registerSecurityHeaders(server: FastifyInstance): void {
  server.addHook('onSend', async (req, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    if (routeAccess(req.routeOptions.url) === 'admin') reply.header('content-security-policy', QUEUE_DASHBOARD_CSP);
    return payload;
  });
}
