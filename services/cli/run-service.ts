/** Runs a long-lived service until SIGTERM/SIGINT, then closes it gracefully. */
import { ConfigError } from '../../shared/config/errors.js';

export async function runUntilSignal(name: string, start: () => Promise<{ close(): Promise<void> }>): Promise<void> {
  let handle: { close(): Promise<void> };
  try {
    handle = await start();
  } catch (err) {
    reportStartFailure(name, err);
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      process.stderr.write(`${name}: second ${signal}, exiting now\n`);
      process.exit(130);
    }
    stopping = true;
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
}

export function reportStartFailure(name: string, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  const kind = err instanceof ConfigError ? 'configuration error' : 'failed to start';
  process.stderr.write(`memfleet ${name}: ${kind}: ${message}\n`);
}
