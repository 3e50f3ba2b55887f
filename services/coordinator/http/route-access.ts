/**
 * Which guard a request needs, decided on the route the router matched —
 * `req.routeOptions.url`, the pattern the route was declared with — and never
 * on the raw URL. The router decodes the path before matching, so
 * `/%761/shards` reaches the route `/v1/shards`; a guard reading `req.url`
 * would see a path that is not under `/v1` and let it through (issue 11,
 * finding 1). A request no route matched gets the 404 and needs no guard.
 */

/**
 * - `api`: every `/v1` route; the bearer token when one is configured.
 * - `admin`: the queue dashboard; the token or the session cookie, else loopback only.
 * - `admin-session`: `/admin/session`, which opens and closes sessions and checks its own credentials.
 * - `public`: health, readiness, metrics and the console's static files; what no token ever guarded.
 */
export type RouteAccess = 'api' | 'admin' | 'admin-session' | 'public';

export const ADMIN_SESSION_ROUTE = '/admin/session';
export const QUEUE_DASHBOARD_PATH = '/admin/queues';

function under(pattern: string, prefix: string): boolean {
  return pattern === prefix || pattern.startsWith(`${prefix}/`);
}

/** `pattern` is `req.routeOptions.url`: undefined when no route matched (the 404 handler). */
export function routeAccess(pattern: string | undefined): RouteAccess {
  if (pattern === undefined) return 'public';
  if (under(pattern, '/v1')) return 'api';
  if (pattern === ADMIN_SESSION_ROUTE) return 'admin-session';
  if (under(pattern, '/admin')) return 'admin';
  return 'public';
}
