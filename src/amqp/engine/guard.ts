/**
 * Work on a connection that no frame started (a socket event, a timer, a scheduled flush) has no
 * caller to hand an exception to. Ours or a handler's, it fails that connection instead of
 * reaching the process as an uncaughtException that would end every other client's too.
 */
import type { Logger } from 'pino';

interface Failable {
  readonly log: Logger;
  readonly socket: { destroy(): void };
  fail(e: unknown): void;
}

export function guarded(conn: Failable, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    try {
      conn.fail(e);
    } catch (failure) {
      conn.log.error({ err: failure }, 'could not close the connection cleanly');
      conn.socket.destroy();
    }
  }
}
