/**
 * The emulator's own endpoints, without authentication:
 * - `GET /health`: Microsoft's emulator contract, 200 `{"status":"healthy",…}` once ready, else 503;
 * - `GET /emulator/ca.pem`: the CA to trust for the HTTPS and AMQPS listeners.
 *
 * `health` is also a legal queue or topic name, so /health answers only requests that are not ATOM
 * requests; an SDK's request (signed, or with an api-version) reaches the entity routes instead.
 * The admin port answers plain probes without the app (src/http/healthProbe.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors.js';
import { HEALTHY, isAtomRequest, STARTING } from '../healthProbe.js';

/** A router constraint: routes marked `{ atom: 'no' }` match only requests that are not ATOM requests. */
export const atomConstraint = {
  name: 'atom',
  storage() {
    // The router's handler type stays opaque here: the store only keeps what it is given.
    const handlers = new Map<string, never>();
    return {
      get(value: string) {
        return handlers.get(value) ?? null;
      },
      set(value: string, handler: never) {
        handlers.set(value, handler);
      },
    };
  },
  deriveConstraint: (req: IncomingMessage) => (isAtomRequest(req) ? 'yes' : 'no'),
  mustMatchWhenDerived: false,
};

const healthBody = {
  type: 'object',
  properties: { status: { type: 'string' }, message: { type: 'string' } },
  required: ['status', 'message'],
} as const;

export default async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/health', { constraints: { atom: 'no' }, schema: { response: { 200: healthBody, 503: healthBody } } }, async (_request, reply) => {
    if (app.admin.isReady()) return reply.code(200).send(HEALTHY);
    return reply.code(503).send(STARTING);
  });

  app.get(
    '/emulator/ca.pem',
    { schema: { response: { 200: { type: 'string', description: 'PEM certificate of the local CA' } } } },
    async (_request, reply) => {
      const tls = app.admin.tls;
      if (!tls) throw new HttpError(404, 'This emulator was started without TLS material.');
      return reply.code(200).type('application/x-pem-file').header('content-disposition', 'attachment; filename="ca.pem"').send(tls.caPem);
    },
  );
}
