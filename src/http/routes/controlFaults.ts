/**
 * Fault injection over HTTP. POST /emulator/faults takes one fault:
 *
 *   {"kind":"error","entity":"orders","operation":"send","error":"server-busy","count":2}
 *   {"kind":"delay","entity":"orders","operation":"send","delay":"PT5S","count":1}
 *   {"kind":"dropConnections","entity":"orders"}          (no entity: every connection)
 *   {"kind":"expireLocks","entity":"orders","sequenceNumber":3}   (no number: every lock)
 *   {"kind":"expireSessionLock","entity":"orders","session":"s1"}
 *
 * "error" and "delay" faults are armed (201, listed by GET, cleared by DELETE); the others act at once (200).
 */
import type { FastifyInstance } from 'fastify';
import { parseDuration } from '../../config/duration.js';
import { ControlError, type ControlSurface } from '../../control/index.js';

/** A JSON body as an object, else a 400 naming what is wrong. */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || body === '') return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new ControlError(400, 'The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

function durationMs(v: unknown): number {
  try {
    return parseDuration(v as string);
  } catch (err) {
    throw new ControlError(400, `"delay": ${err instanceof Error ? err.message : String(err)}.`);
  }
}

const KINDS = ['error', 'delay', 'dropConnections', 'expireLocks', 'expireSessionLock'];

export async function controlFaultRoutes(app: FastifyInstance, api: () => ControlSurface): Promise<void> {
  const faults = (): ControlSurface['faults'] => api().faults;
  app.get('/emulator/faults', async () => ({ faults: faults().list() }));
  app.delete('/emulator/faults', async (_request, reply) => {
    faults().clear();
    return reply.code(204).send();
  });
  app.post('/emulator/faults', async (request, reply) => {
    const b = bodyObject(request.body);
    const kind = b.kind ?? (b.error !== undefined ? 'error' : undefined);
    const entity = b.entity as string | undefined;
    switch (kind) {
      case 'error':
        return reply.code(201).send(
          faults().inject({ entity, operation: b.operation as never, error: b.error as string, count: b.count as number | undefined }),
        );
      case 'delay': {
        const delayMs = b.delay === undefined ? b.delayMs : durationMs(b.delay);
        if (delayMs === undefined) throw new ControlError(400, 'A delay fault needs "delay" (ISO 8601) or "delayMs".');
        return reply.code(201).send(faults().inject({ entity, operation: b.operation as never, delayMs: delayMs as number, count: b.count as number | undefined }));
      }
      case 'dropConnections':
        return faults().dropConnections(entity);
      case 'expireLocks':
        if (entity === undefined) throw new ControlError(400, '"entity" names the queue or subscription whose locks expire.');
        return faults().expireLocks(entity, { sequenceNumber: b.sequenceNumber as number | undefined });
      case 'expireSessionLock':
        if (entity === undefined) throw new ControlError(400, '"entity" names the session-enabled queue or subscription.');
        return faults().expireSessionLock(entity, b.session as string);
      default:
        throw new ControlError(400, `"kind" must be one of ${KINDS.join(', ')}.`);
    }
  });
}
