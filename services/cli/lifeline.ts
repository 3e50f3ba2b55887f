/**
 * A service started by `memfleet up` (MEMFLEET_SUPERVISED=1) stops when `up`
 * is gone. `up` holds the write end of the child's stdin and never writes to
 * it; the kernel closes it when `up` exits for any reason, SIGKILL included,
 * and the child reads end-of-file. (Node has no PR_SET_PDEATHSIG; the pipe
 * works on every platform.) Without this, a killed `up` leaves its children
 * serving the port, and the next `up` cannot bind it.
 */
export function supervised(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.MEMFLEET_SUPERVISED === '1';
}

/** Calls `onLost` once when the supervisor's end of stdin closes. Only when supervised. */
export function watchLifeline(onLost: () => void): void {
  if (!supervised()) return;
  // Logging after `up` died writes into a closed pipe: that must not turn a graceful stop into a crash.
  for (const out of [process.stdout, process.stderr]) out.on('error', () => undefined);
  let lost = false;
  const fire = () => {
    if (lost) return;
    lost = true;
    onLost();
  };
  process.stdin.on('end', fire);
  process.stdin.on('close', fire);
  process.stdin.on('error', fire);
  process.stdin.resume();
}

/**
 * The process title `ps` shows: "memfleet shard harbor#2", "memfleet coordinator :8080".
 * A shard under `up` takes the name `up` logs and `memfleet status` lists (MEMFLEET_PROCESS_NAME).
 */
export function setProcessTitle(service: 'coordinator' | 'shard', detail: string | undefined): void {
  const name = service === 'shard' ? (process.env.MEMFLEET_PROCESS_NAME ?? detail) : detail;
  process.title = name ? `memfleet ${service} ${name}` : `memfleet ${service}`;
}
