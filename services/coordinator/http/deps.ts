/** What the HTTP layer needs from the rest of the coordinator. The route modules take it from here, not from server.ts. */
import type { Redis } from 'ioredis';
import type { HeartbeatStore } from '../../../shared/fleet/heartbeat-store.js';
import type { Logger } from '../../../shared/log/logger.js';
import type { FleetMetrics } from '../../../shared/metrics/registry.js';
import type { CoordinatorConfig } from '../config.js';
import type { QueryStore } from '../data-access/query-store.js';
import type { QueryService } from '../domain/query-service.js';
import type { Dispatcher } from '../fanout/dispatcher.js';
import type { ShardDirectory } from '../fanout/shard-directory.js';
import type { MemoryStore } from '../../../shared/memory/memory-store.js';
import type { SourceWriter } from '../memory/source-writer.js';

export interface HttpDeps {
  config: CoordinatorConfig;
  redis: Redis;
  service: QueryService;
  store: QueryStore;
  directory: ShardDirectory;
  heartbeats: HeartbeatStore;
  dispatcher: Dispatcher;
  metrics: FleetMetrics;
  log: Logger;
  /** True once SIGTERM arrived: new work is refused with 503. */
  draining: () => boolean;
  /** Written sources (docs/architecture.md, "Memory that grows"). */
  memory: MemoryStore;
  writer: SourceWriter;
}
