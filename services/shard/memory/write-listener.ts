/**
 * Listens for signed write notifications on the domain's channel
 * (shared/memory/notification.ts) and starts a catch-up, so an idle replica
 * is current before the next question. A notification only says "look": the
 * content always comes from the signed records in Redis. Forged, stale or
 * replayed notifications are counted and dropped. After a reconnect (when
 * notifications may have been missed) the replica catches up once.
 */
import type { Redis } from 'ioredis';
import { MemoryNonceCache, type Keyring } from '../../../shared/envelope/index.js';
import type { Logger } from '../../../shared/log/logger.js';
import { memoryKeys } from '../../../shared/memory/keys.js';
import { openNotification } from '../../../shared/memory/notification.js';
import type { FleetMetrics } from '../../../shared/metrics/registry.js';
import type { MemorySync } from './memory-sync.js';

export interface WriteListenerDeps {
  subscriber: Redis;
  prefix: string;
  domain: string;
  keyring: Keyring;
  toleranceSec: number;
  sync: MemorySync;
  metrics: FleetMetrics;
  log: Logger;
}

export async function listenForWrites(deps: WriteListenerDeps): Promise<void> {
  const { subscriber, domain, sync, log } = deps;
  const channel = memoryKeys(deps.prefix, domain).events;
  // Each replica sees every notification once, so its own nonce memory is the right scope.
  const nonceCache = new MemoryNonceCache();
  const catchUp = (why: string) =>
    void sync.catchUp().catch((err: unknown) => log.warn({ err, why }, 'catch-up of written sources failed; the next job will retry it'));

  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    void openNotification(message, domain, { keyring: deps.keyring, toleranceSec: deps.toleranceSec, nonceCache }).then((opened) => {
      if (!opened.ok) {
        deps.metrics.envelopeRejected.inc({ reason: opened.reason });
        log.warn({ reason: opened.reason, detail: opened.detail }, 'write notification rejected');
        return;
      }
      if (opened.notification.version > sync.version) catchUp('notification');
    });
  });
  let connectedOnce = false;
  subscriber.on('ready', () => {
    if (connectedOnce) catchUp('reconnect');
    connectedOnce = true;
  });
  await subscriber.subscribe(channel);
  connectedOnce = true;
}
