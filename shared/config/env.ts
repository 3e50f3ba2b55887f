/**
 * Environment → validated config. Every service parses its env through a zod
 * schema here, so a bad value fails at start-up with the variable's name.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads NAME, or the file named by NAME_FILE (Docker secrets). Setting both is
 * an error because one of them would be silently ignored.
 */
export function readVar(env: Env, name: string): string | undefined {
  const direct = env[name];
  const file = env[`${name}_FILE`];
  if (direct !== undefined && direct !== '' && file) {
    throw new ConfigError(`${name} and ${name}_FILE are both set: keep one of them.`);
  }
  if (file) {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new ConfigError(`${name}_FILE points at ${file}, which cannot be read (${code}): mount the secret file or set ${name} instead.`);
    }
  }
  return direct === '' ? undefined : direct;
}

/** Picks the named variables (resolving *_FILE) into a plain object for a schema. */
export function pickVars(env: Env, names: readonly string[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const name of names) out[name] = readVar(env, name);
  return out;
}

/** Formats the first few zod issues as "NAME: message" lines. */
export function describeIssues(error: z.ZodError, label = ''): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      const where = path ? `${label}${path}` : label.replace(/\.$/, '') || 'value';
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}

/** Parses env variables with a schema; throws ConfigError naming each bad variable. */
export function parseEnv<S extends z.ZodType>(schema: S, env: Env, names: readonly string[]): z.output<S> {
  const parsed = schema.safeParse(pickVars(env, names));
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration: ${describeIssues(parsed.error)}`);
  }
  return parsed.data;
}

/** Reusable field schemas for env strings. */
export const envField = {
  int: (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
    z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined) return def;
        const n = Number(v);
        if (!Number.isInteger(n) || n < min || n > max) {
          ctx.addIssue({ code: 'custom', message: `expected an integer between ${min} and ${max}, got "${v}"` });
          return z.NEVER;
        }
        return n;
      }),
  str: (def: string) => z.string().optional().transform((v) => v ?? def),
  optionalStr: () => z.string().optional(),
  required: (hint: string) => z.string({ error: `is required: ${hint}` }).min(1, `is required: ${hint}`),
  logLevel: () =>
    z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        error: 'expected one of fatal, error, warn, info, debug, trace, silent',
      })
      .optional()
      .transform((v) => v ?? 'info'),
};
