/** A small HTTP client for the coordinator API, used by `ask`, `status` and tools. */

export class ClientError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface ClientOptions {
  url: string;
  token?: string | undefined;
  /** Client-side timeout (ms) for one request. */
  timeoutMs?: number;
}

export async function callCoordinator<T>(opts: ClientOptions, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let res: Response;
  try {
    res = await fetch(new URL(path, opts.url), {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 120_000),
    });
  } catch (err) {
    const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    throw new ClientError(`No coordinator answered at ${opts.url} (${cause}): start one with "memfleet up --contexts DIR" or set MEMFLEET_URL.`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ClientError(`The coordinator at ${opts.url} answered ${res.status} with a body that is not JSON.`, res.status);
  }
  if (!res.ok && res.status !== 202) {
    const e = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ClientError(e?.message ? `${e.message} (HTTP ${res.status} ${e.code ?? ''})`.trim() : `HTTP ${res.status}`, res.status, e?.code);
  }
  return json as T;
}
