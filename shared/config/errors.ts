/** A configuration problem the operator must fix before the service can start. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
