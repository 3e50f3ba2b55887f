/** Keeps secrets out of logs: key paths pino must censor, and URL credential scrubbing. */

/** pino `redact` paths: any field with these names, at the top level or one level down. */
const SECRET_FIELDS = [
  'authorization',
  'apiKey',
  'api_key',
  'token',
  'password',
  'secret',
  'hmacKeys',
  'MEMFLEET_HMAC_KEYS',
  'MEMFLEET_SHARD_HMAC_KEYS',
  'MEMFLEET_DOMAIN_QUERY_KEYS',
  'MEMFLEET_DOMAIN_RESULT_KEYS',
  'MEMFLEET_API_TOKEN',
  'ANTHROPIC_API_KEY',
  'x-api-key',
];

export const REDACT_PATHS: string[] = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
];

/** redis://user:secret@host → redis://user:***@host (and the same for any URL with credentials). */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^:@/]*):([^@/]*)@/i, (_m, scheme: string, user: string) => `${scheme}${user}:***@`);
}

/** Scrubs credentials from URLs embedded in free text (error messages, for instance). */
export function redactText(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)([^:@/\s]*):([^@/\s]*)@/gi, (_m, scheme: string, user: string) => `${scheme}${user}:***@`)
    .replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, '$1***')
    .replace(/sk-ant-[A-Za-z0-9_-]+/g, 'sk-ant-***');
}
