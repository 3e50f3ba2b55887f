/**
 * Which `output_config.effort` a call sends, decided once at start-up from
 * the model table: a level the model does not accept would be answered 400 on
 * every question, so it is refused before the service takes any work.
 */
import { ConfigError } from '../config/errors.js';
import type { Effort, ModelLimits } from './model-limits.js';

export interface EffortChoice {
  /** What goes into `output_config.effort`; undefined sends none. */
  effort: Effort | undefined;
  /** Why nothing is sent although LLM_EFFORT names a level (for the start-up log). */
  note?: string;
}

/**
 * LLM_EFFORT against the model's levels. A model that accepts no effort gets
 * none (LLM_EFFORT defaults to low, which must not stop such a model); a model
 * that accepts some levels but not this one stops start-up with a ConfigError.
 */
export function chooseEffort(effort: Effort | undefined, model: string, modelVar: string, limits: ModelLimits): EffortChoice {
  if (effort === undefined) return { effort: undefined };
  if (limits.efforts.length === 0) {
    return { effort: undefined, note: `LLM_EFFORT=${effort} is not sent: ${model} accepts no effort level (efforts in LLM_MODELS_JSON)` };
  }
  if (!limits.efforts.includes(effort)) {
    throw new ConfigError(
      `LLM_EFFORT=${effort} is not accepted by ${modelVar}=${model}, which takes ${limits.efforts.join(', ')} (the API would answer 400 to every call): ` +
        `set LLM_EFFORT to one of those, or LLM_EFFORT=model to let the model decide.`,
    );
  }
  return { effort };
}
