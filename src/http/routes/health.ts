/**
 * The emulator's own endpoints, without authentication:
 * - `GET /health`: Microsoft's emulator contract, 200 `{"status":"healthy",…}` once ready, else 503;
 * - `GET /emulator/ca.pem`: the CA to trust for the HTTPS and AMQPS listeners.
 */
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors.js';

const healthBody = {
  type: 'object',
  properties: { status: { type: 'string' }, message: { type: 'string' } },
  required: ['status', 'message'],
} as const;

export default async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/health', { schema: { response: { 200: healthBody, 503: healthBody } } }, async (_request, reply) => {
    if (app.admin.isReady()) return reply.code(200).send({ status: 'healthy', message: 'Service is healthy.' });
    return reply.code(503).send({ status: 'unhealthy', message: 'Service is starting.' });
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
