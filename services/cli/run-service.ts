/**
 * Runs a long-lived service until SIGTERM/SIGINT (or, under `memfleet up`,
 * until `up` is gone: lifeline.ts), then closes it gracefully.
 */
import { ConfigError } from '../../shared/config/errors.js';
import { watchLifeline } from './lifeline.js';

export async function runUntilSignal(name: string, start: () => Promise<{ close(): Promise<void> }>): Promise<void> {
  let handle: { close(): Promise<void> } | undefined;
  let stopping = false;
  const stop = (why: string) => {
    if (stopping) {
      process.stderr.write(`${name}: second ${why}, exiting now\n`);
      process.exit(130);
    }
    stopping = true;
    // Still starting: nothing to close gracefully yet.
    if (!handle) process.exit(0);
    const force = setTimeout(() => {
      process.stderr.write(`${name}: did not stop within 30 s, exiting\n`);
      process.exit(1);
    }, 30_000);
    force.unref();
    handle.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`${name}: error while stopping: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  watchLifeline(() => {
    process.stderr.write(`${name}: memfleet up is gone (its pipe closed), stopping\n`);
    // The supervisor's SIGTERM may already have started the stop: the pipe closing is the same request, not a second one.
    if (!stopping) stop('lifeline');
  });
  try {
    handle = await start();
  } catch (err) {
    reportStartFailure(name, err);
    process.exit(1);
  }
  if (stopping) {
    await handle.close().catch(() => undefined);
    process.exit(0);
  }
}

export function reportStartFailure(name: string, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  const kind = err instanceof ConfigError ? 'configuration error' : 'failed to start';
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const port = (err as { port?: unknown } | undefined)?.port;
  const hint = code === 'EADDRINUSE' ? `: ${typeof port === 'number' ? `port ${port}` : 'the port'} is in use by another program; stop it or choose another port (PORT, --port)` : '';
  process.stderr.write(`memfleet ${name}: ${kind}: ${message}${hint}\n`);
}
