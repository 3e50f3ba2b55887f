/**
 * Checks the coordinator's port before `memfleet up` starts anything, so a
 * port held by another program (often a previous `up` that is still running)
 * is named with the fix, instead of a coordinator dying with EADDRINUSE after
 * the fleet has been announced.
 */
import { createServer } from 'node:net';

export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
}

export async function assertPortFree(host: string, port: number): Promise<void> {
  const problem = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => resolve(err));
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve(undefined)));
  });
  if (!problem) return;
  const where = `${host}:${port}`;
  if (problem.code === 'EADDRINUSE') {
    const memfleet = await answersAsCoordinator(host === '0.0.0.0' ? '127.0.0.1' : host, port);
    throw new PortInUseError(
      `Port ${port} on ${host} is already in use${memfleet ? ' by a memfleet coordinator (another memfleet up, or one left running)' : ''}: ` +
        `stop what holds it${memfleet ? '' : ` (lsof -i :${port} shows it)`}, or start on another port with --port ${port === 65535 ? port - 1 : port + 1}.`,
    );
  }
  if (problem.code === 'EACCES') {
    throw new PortInUseError(`Port ${port} on ${host} needs privileges to bind: use a port above 1023, e.g. --port 8080.`);
  }
  if (problem.code === 'EADDRNOTAVAIL') {
    throw new PortInUseError(`Address ${where} is not an address of this machine: use --host 127.0.0.1 (or 0.0.0.0 for every interface).`);
  }
  throw new PortInUseError(`Cannot listen on ${where} (${problem.code ?? problem.message}): pick another --port or --host.`);
}

async function answersAsCoordinator(host: string, port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://${host}:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
    return res.ok && ((await res.json()) as { status?: unknown }).status === 'ok';
  } catch {
    return false;
  }
}
