/**
 * The one error of configuration loading and applying. Its message names the source (a file path,
 * `<inline config>` or `<embedded default config>`), the JSON path inside it and what is wrong:
 *
 *   Invalid configuration in /cfg/Config.json at UserConfig.Namespaces[0].Queues[2].Properties.LockDuration:
 *   'PT5X' is not an ISO 8601 duration such as PT1M, P14D or P1DT2H30M
 *
 * The CLI prints it and exits with code 2.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    /** File path or a `<...>` label for configs that are not files. */
    readonly source: string,
    /** JSON path such as `UserConfig.Namespaces[0].Queues[2].Name`; empty for the whole file. */
    readonly path: string,
    /** What is wrong, without the source and path. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      path === ''
        ? `Invalid configuration in ${source}: ${detail}`
        : `Invalid configuration in ${source} at ${path}: ${detail}`,
      options,
    );
  }
}

export const isConfigError = (e: unknown): e is ConfigError => e instanceof ConfigError;
