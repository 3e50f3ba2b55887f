/**
 * Tells a Redis outage from a bug. On a single Redis the client's status says
 * it (not "ready"); on a Redis Cluster the client stays ready while one master
 * is down or failing over, and only the commands for that master's slots fail,
 * with these errors. Callers answer them as "Redis unavailable" (503, retry),
 * not as an internal error.
 */
const OUTAGE_NAMES = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError', 'AbortError']);
const OUTAGE_MESSAGE =
  /CLUSTERDOWN|TRYAGAIN|LOADING|MASTERDOWN|READONLY|Connection is closed|Stream isn't writeable|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Too many Cluster redirections|Cluster isn't ready|Failed to refresh slots cache|None of startup nodes is available|enableOfflineQueue/;

export function isRedisOutageError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return OUTAGE_NAMES.has(err.name) || OUTAGE_MESSAGE.test(err.message);
}
