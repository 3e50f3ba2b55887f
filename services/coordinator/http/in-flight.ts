/**
 * Counts the HTTP requests being served, so a graceful stop can keep the
 * listener open — answering new requests with 503 `shutting_down` instead of
 * refusing connections — until the queries already accepted have finished.
 *
 * Counted on the raw Node server: a response's 'close' fires whether it was
 * sent or the client went away, so the count cannot leak.
 */
import type { Server } from 'node:http';

export interface InFlight {
  count(): number;
  /** Resolves once no request is being served, or after `maxWaitMs` (a stuck request must not block shutdown forever). */
  idle(maxWaitMs: number): Promise<void>;
}

const POLL_MS = 25;

export function trackInFlight(server: Server): InFlight {
  let active = 0;
  server.on('request', (_req, res) => {
    active += 1;
    res.once('close', () => {
      active -= 1;
    });
  });
  return {
    count: () => active,
    idle: async (maxWaitMs) => {
      const until = Date.now() + maxWaitMs;
      while (active > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    },
  };
}
