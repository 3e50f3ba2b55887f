/** Builds the coordinator's synthesis policy from its config (no synthesiser without an API key). */
import type { Logger } from '../../../../shared/log/logger.js';
import type { FleetMetrics } from '../../../../shared/metrics/registry.js';
import type { SynthesisPolicy } from '../query-service.js';
import type { SynthesisConfig } from './synthesis-config.js';
import { Synthesizer } from './synthesizer.js';

export function synthesisPolicy(config: SynthesisConfig | undefined, metrics: FleetMetrics, log: Logger): SynthesisPolicy {
  if (!config?.llm) return { synthesizer: undefined, byDefault: false };
  log.info({ model: config.model, byDefault: config.byDefault }, 'synthesis available');
  return { synthesizer: new Synthesizer({ settings: config.llm, model: config.model, metrics, log }), byDefault: config.byDefault };
}
