/** Coordinator settings for synthesis: SYNTHESIS, SYNTH_MODEL and the shared Claude variables. */
import { z } from 'zod';
import { parseEnv, readVar, type Env } from '../../../../shared/config/env.js';
import { ConfigError } from '../../../../shared/config/errors.js';
import { modelIdField, parseLlmSettings, withApiKey, type LlmSettings } from '../../../../shared/llm/llm-settings.js';

export const SYNTHESIS_VARS = ['SYNTHESIS', 'SYNTH_MODEL'] as const;

const SynthesisSchema = z.object({
  SYNTHESIS: z
    .enum(['on', 'off'], { error: 'expected "off" (default) or "on"' })
    .optional()
    .transform((v) => v ?? 'off'),
  SYNTH_MODEL: modelIdField('claude-sonnet-5-5'),
});

export interface SynthesisConfig {
  /** SYNTHESIS=on: every query is synthesised unless its body says `synthesize: false`. */
  byDefault: boolean;
  /** SYNTH_MODEL. @defaultValue 'claude-sonnet-5-5' */
  model: string;
  /** Present when the coordinator has an API key; without it no query can be synthesised. */
  llm: (LlmSettings & { apiKey: string }) | undefined;
}

export function parseSynthesisConfig(env: Env): SynthesisConfig {
  const raw = parseEnv(SynthesisSchema, env, SYNTHESIS_VARS);
  const byDefault = raw.SYNTHESIS === 'on';
  // The Claude variables are read only when synthesis may run, so a lexical-only fleet never trips on them.
  const hasKey = readVar(env, 'ANTHROPIC_API_KEY') !== undefined;
  if (!byDefault && !hasKey) return { byDefault, model: raw.SYNTH_MODEL, llm: undefined };
  const llm = parseLlmSettings(env);
  if (llm.apiKey === undefined) {
    throw new ConfigError('SYNTHESIS=on needs ANTHROPIC_API_KEY (or ANTHROPIC_API_KEY_FILE) on the coordinator: set it, or set SYNTHESIS=off.');
  }
  return { byDefault, model: raw.SYNTH_MODEL, llm: withApiKey(llm, llm.apiKey) };
}
