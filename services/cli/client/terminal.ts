/**
 * What the CLI does differently on a terminal: colour (stdout is a TTY and
 * NO_COLOR is unset, or FORCE_COLOR asks for it) and a progress line on stderr
 * while a slow query runs. Piped or redirected output stays plain text, so
 * scripts and `--json` consumers never see an escape code.
 */
import picocolors from 'picocolors';
/** picocolors' colour functions (its types file is not exported as a subpath). */
export type Colors = ReturnType<typeof picocolors.createColors>;

export interface TtyLike {
  isTTY?: boolean;
  write(chunk: string): boolean;
}

/** https://no-color.org: any non-empty NO_COLOR turns colour off; FORCE_COLOR (not "0") turns it on. */
export function colourEnabled(stream: TtyLike, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export function coloursFor(stream: TtyLike, env: NodeJS.ProcessEnv = process.env): Colors {
  return picocolors.createColors(colourEnabled(stream, env));
}

export interface Progress {
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * A spinner with the elapsed time on `stream`, only when it is a terminal;
 * elsewhere it writes nothing. `stop()` erases the line.
 */
export function startProgress(stream: TtyLike, text: string, env: NodeJS.ProcessEnv = process.env): Progress {
  if (stream.isTTY !== true || env.TERM === 'dumb') return { stop: () => undefined };
  const started = Date.now();
  let frame = 0;
  const draw = () => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${text} ${seconds}s`);
  };
  draw();
  const timer = setInterval(draw, 100);
  timer.unref();
  let stopped = false;
  return {
    stop: () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      stream.write('\r\x1b[2K');
    },
  };
}

/** "3s ago", "2m ago", "1h ago". */
export function ageOf(iso: string | null, now = Date.now()): string {
  if (!iso) return '-';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}

/** "4.2ms", "830ms", "12.4s", or "-". */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)}s`;
  if (ms >= 100) return `${Math.round(ms)}ms`;
  return `${ms.toFixed(1)}ms`;
}
