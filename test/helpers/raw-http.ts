/**
 * One HTTP/1.1 request written byte for byte on a fresh socket: the path goes
 * out exactly as given (no client-side normalisation of `..`, `//` or
 * percent-escapes, as fetch() would do) and the Host header is whatever the
 * test says, as a browser on a rebinding page or a hostile client sends them.
 */
import { connect } from 'node:net';

export interface RawHttpRequest {
  method?: string;
  path: string;
  /** Header names in lower case; `host` defaults to 127.0.0.1:<port>. */
  headers?: Record<string, string>;
  body?: string;
  /** Local address to send from, e.g. 127.0.0.2 for a second client. */
  localAddress?: string;
}

export interface RawHttpResponse {
  status: number;
  /** Lower-case names; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: string;
}

export function rawHttp(port: number, req: RawHttpRequest): Promise<RawHttpResponse> {
  const headers: Record<string, string> = { host: `127.0.0.1:${port}`, connection: 'close', ...req.headers };
  if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
  const head = [`${req.method ?? 'GET'} ${req.path} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', ...(req.localAddress ? { localAddress: req.localAddress } : {}) });
    const chunks: Buffer[] = [];
    socket.setTimeout(20_000, () => socket.destroy(new Error(`no answer to ${req.method ?? 'GET'} ${req.path} within 20 s`)));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const bytes = Buffer.concat(chunks);
      const split = bytes.indexOf('\r\n\r\n');
      const text = bytes.subarray(0, split < 0 ? undefined : split).toString('latin1');
      const lines = text.split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
      if (status === 0) {
        reject(new Error(`no HTTP response to ${req.method ?? 'GET'} ${req.path}: ${JSON.stringify(text.slice(0, 200))}`));
        return;
      }
      const parsed: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) parsed[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const raw = split < 0 ? Buffer.alloc(0) : bytes.subarray(split + 4);
      const body = /chunked/i.test(parsed['transfer-encoding'] ?? '') ? unchunk(raw) : raw;
      resolve({ status, headers: parsed, body: body.toString('utf8') });
    });
    socket.write(`${head}\r\n\r\n${req.body ?? ''}`);
  });
}

function unchunk(body: Buffer): Buffer {
  const out: Buffer[] = [];
  let rest = body;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.subarray(0, eol).toString('latin1'), 16);
    if (eol < 0 || !(size > 0)) return Buffer.concat(out);
    out.push(rest.subarray(eol + 2, eol + 2 + size));
    rest = rest.subarray(eol + 2 + size + 2);
  }
}
