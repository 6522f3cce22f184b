export { applyConfig, type AppliedConfig } from './apply.js';
export { DEFAULT_CONFIG, DEFAULT_CONFIG_SOURCE } from './default.js';
export { DurationError, formatDuration, parseDuration } from './duration.js';
export { ConfigError, isConfigError } from './errors.js';
export { INLINE_CONFIG_SOURCE, loadConfigFile, parseConfigText, validateConfig } from './parse.js';
export type * from './types.js';
