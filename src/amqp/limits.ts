/**
 * What the emulator announces in its open and begin frames, and holds clients to. Each of these
 * fields goes out with a value, never null: pyamqp before 7.15 (azure-servicebus 7.12 to 7.14.3)
 * reads fields by position and keeps a null where the spec means "the default", then compares
 * it with a number (handle-max on its next attach, max-frame-size against 512) and fails.
 * The values are Azure Service Bus's where they matter to clients: traces of a Service Bus
 * namespace show open {…, 65536, 4999, 240000} and begin {0, 1, 5000, …, 255}.
 */

/** The largest frame a peer may send (Azure announces 64 KB; a larger limit costs clients nothing). */
export const MAX_FRAME_SIZE = 256 * 1024;

/**
 * The highest link handle a client may use on a session, as Azure. Clients take the lowest free
 * handle and Service Bus clients open a few links per session; a handle above it closes the
 * connection with amqp:connection:framing-error (AMQP 1.0 section 2.7.2).
 */
export const HANDLE_MAX = 255;

export const CHANNEL_MAX = 4999;

/** Clients heartbeat at half of it; a client silent for twice as long (8 minutes) is closed. */
export const IDLE_TIME_OUT_MS = 240_000;

/** Bytes of unfinished multi-frame deliveries one connection may hold. */
export const CONNECTION_MEMORY_BUDGET = 64 * 1024 * 1024;

/** Socket bytes not yet taken by a client above which the emulator stops sending to it. */
export const WRITE_HIGH_WATER_MARK = 1024 * 1024;
