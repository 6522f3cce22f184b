/**
 * The package's public API: `startEmulator()` for tests and tools, the config loader, and the
 * broker core's types.
 */
export * from './broker/index.js';
export {
  buildConnectionString,
  ListenError,
  startEmulator,
  type Emulator,
  type EmulatorOptions,
} from './server/emulator.js';
export { BrokerTimer } from './server/brokerTimer.js';
export { systemClock } from './server/clock.js';
export {
  ControlError,
  type AdvanceBy,
  type ArmedFault,
  type ClockMode,
  type ClockReading,
  type ControlSurface,
  type EntityInfo,
  type ErrorFaultSpec,
  type FaultsSurface,
  type InspectedMessage,
  type JournalEntry,
  type JournalQuery,
  type ResetResult,
} from './control/index.js';
export { CONTAINER_CONFIG_PATH, DEFAULTS, defaultTlsDir, LOG_LEVELS, type LogLevel } from './server/defaults.js';
export {
  applyConfig,
  ConfigError,
  DEFAULT_CONFIG,
  formatDuration,
  loadConfigFile,
  parseConfigText,
  parseDuration,
  validateConfig,
} from './config/index.js';
export type * from './config/types.js';
export type { AuthConfig, SasKey, AccessRight } from './auth/types.js';
