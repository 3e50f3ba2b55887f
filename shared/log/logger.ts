/** One pino JSON logger per process, with secrets redacted. */
import { pino, type Logger, type LoggerOptions } from 'pino';
import { REDACT_PATHS, redactText } from './redact.js';

export type { Logger } from 'pino';

export interface LoggerSettings {
  service: 'coordinator' | 'shard' | 'cli';
  level: string;
  /** Extra fields on every line (shard, replica). */
  base?: Record<string, string>;
  /** Where lines go; defaults to stdout. Tests pass a stream to capture them. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    base: { service: settings.service, pid: process.pid, ...settings.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '***' },
    formatters: { level: (label) => ({ level: label }) },
    hooks: {
      // pino copies a message string (or a lone Error's message) into `msg` without
      // running serializers or redaction: scrub credentials there too.
      logMethod(args, method) {
        const [first, ...rest] = args as unknown[];
        if (first instanceof Error) {
          return method.apply(this, [{ err: first }, redactText(typeof rest[0] === 'string' ? rest[0] : first.message), ...rest.slice(1)] as Parameters<typeof method>);
        }
        const scrubbed = (args as unknown[]).map((a) => (typeof a === 'string' ? redactText(a) : a));
        return method.apply(this, scrubbed as Parameters<typeof method>);
      },
    },
    serializers: {
      err: (err: unknown) => {
        const s = pino.stdSerializers.err(err as Error);
        // ioredis attaches the failed command to its errors, and AUTH/HELLO carry the Redis password as an argument
        // (found by test/faults/secrets.test.ts): keep the command's name only.
        const command = (s as { command?: { name?: unknown } }).command;
        return {
          ...s,
          message: redactText(s.message ?? ''),
          stack: s.stack ? redactText(s.stack) : undefined,
          ...(command === undefined ? {} : { command: { name: typeof command.name === 'string' ? command.name : 'unknown' } }),
        };
      },
    },
  };
  return settings.destination ? pino(options, settings.destination as pino.DestinationStream) : pino(options);
}
