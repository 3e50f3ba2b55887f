/** Raw HTTP calls to the sources resource, for tests that check status codes and bodies. */

export interface HttpResult {
  status: number;
  json: Record<string, unknown>;
  headers: Headers;
}

export interface WriteOptions {
  token?: string;
  contentType?: string;
  ifMatch?: string;
  ttl?: number;
}

function sourceUrl(url: string, shard: string, source: string, ttl?: number): string {
  return `${url}/v1/shards/${shard}/sources/${source.split('/').map(encodeURIComponent).join('/')}${ttl !== undefined ? `?ttl=${ttl}` : ''}`;
}

async function call(method: string, target: string, body: string | Buffer | undefined, opts: WriteOptions): Promise<HttpResult> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = opts.contentType ?? 'text/markdown';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.ifMatch !== undefined) headers['if-match'] = opts.ifMatch;
  const res = await fetch(target, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = { raw: text };
  }
  return { status: res.status, json, headers: res.headers };
}

export function putSource(url: string, shard: string, source: string, body: string | Buffer, opts: WriteOptions = {}): Promise<HttpResult> {
  return call('PUT', sourceUrl(url, shard, source, opts.ttl), body, opts);
}

export function deleteSource(url: string, shard: string, source: string, opts: WriteOptions = {}): Promise<HttpResult> {
  return call('DELETE', sourceUrl(url, shard, source), undefined, opts);
}

export function getSource(url: string, shard: string, source: string, opts: WriteOptions = {}): Promise<HttpResult> {
  return call('GET', sourceUrl(url, shard, source), undefined, opts);
}

export function listSources(url: string, shard: string, opts: WriteOptions = {}): Promise<HttpResult> {
  return call('GET', `${url}/v1/shards/${shard}/sources`, undefined, opts);
}
