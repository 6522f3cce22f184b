/**
 * What the emulator announces in its open and begin frames, and holds clients to. Each of these
 * fields goes out with a value, never null: pyamqp before 7.15 (azure-servicebus 7.12 to 7.14.3)
 * reads fields by position and keeps a null where the spec means "the default", then compares
 * it with a number (handle-max on its next attach, max-frame-size against 512) and fails.
 * The values are Azure Service Bus's where they matter to clients: traces of a Service Bus
 * namespace show open {…, 65536, 4999, 240000} and begin {0, 1, 5000, …, 255}.
 */

/** The largest frame a peer may send. */
export const MAX_FRAME_SIZE = 256 * 1024;

/**
 * The highest link handle a client may use on a session (begin's handle-max), as Azure. Clients
 * take the lowest free handle and Service Bus clients open a few links per session; a handle
 * above it closes the connection (src/amqp/rheaHandles.ts).
 */
export const HANDLE_MAX = 255;

/** The open frame (rhea's listen options). */
export const OPEN_FIELDS = {
  container_id: 'servicebus-emulator',
  max_frame_size: MAX_FRAME_SIZE,
  channel_max: 4999,
  // Clients heartbeat at half of it; rhea closes a connection that stays silent for twice as
  // long (8 minutes), with amqp:resource-limit-exceeded.
  idle_time_out: 240_000,
  properties: {},
  // Request/response exchanges are small writes; Nagle plus delayed ACKs stalled them ~40 ms.
  tcp_no_delay: true,
};
