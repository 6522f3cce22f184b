/** Start-up failures of the listeners, named so a user can act on them (the CLI prints them as is). */

/** A listener could not bind its port (EADDRINUSE, EACCES, EADDRNOTAVAIL...). */
export class ListenError extends Error {
  override readonly name = 'ListenError';
  constructor(
    readonly listener: 'AMQP' | 'AMQPS' | 'HTTP' | 'WebSocket',
    readonly host: string,
    readonly port: number,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      code === 'EADDRINUSE'
        ? `cannot listen on ${host}:${port} (${listener}): the port is already in use`
        : code === 'EACCES'
          ? `cannot listen on ${host}:${port} (${listener}): permission denied`
          : code === 'EADDRNOTAVAIL'
            ? `cannot listen on ${host}:${port} (${listener}): the address is not available on this machine`
            : `cannot listen on ${host}:${port} (${listener}): ${errorMessage(options?.cause)}`,
      options,
    );
  }
}

/** A port option checked before anything binds. */
export function port(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`${name} must be a port number from 0 to 65535, not ${String(value)}`);
  }
  return value;
}

export function listenError(err: unknown, listener: ListenError['listener'], host: string, p: number): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    return new ListenError(listener, host, p, code, { cause: err });
  }
  return err;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
