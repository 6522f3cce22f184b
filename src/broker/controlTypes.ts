/** Shapes the test control plane's core verbs (control.ts) take and hand out. */
export interface PurgeOptions {
  /** Also restart sequence numbers at 1 and forget duplicate-detection history (a reset). */
  restart?: boolean;
}

export interface InspectedSession {
  sessionId: string;
  /** Messages of the session by state (active counts exclude locked ones). */
  active: number;
  deferred: number;
  scheduled: number;
  locked: number;
  state: Uint8Array | null;
  /** Epoch ms; undefined while no receiver holds the session. */
  lockedUntilUtc: number | undefined;
  /** The `owner` the holding receiver was opened with. */
  lockHolder: string | undefined;
}
