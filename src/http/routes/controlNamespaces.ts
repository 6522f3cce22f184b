/**
 * Per-test namespaces over HTTP:
 *
 *   POST   /emulator/namespaces          {"name":"orders-test"} (optional) → 201 {name, keyName, key, connectionString, adminConnectionString}
 *   GET    /emulator/namespaces          → {namespaces: [...]}
 *   DELETE /emulator/namespaces/{name}   → 204; its AMQP connections are closed
 */
import type { FastifyInstance } from 'fastify';
import { ControlError, type NamespacesSurface } from '../../control/index.js';
import { bodyObject } from './controlFaults.js';

export async function controlNamespaceRoutes(app: FastifyInstance, namespaces: NamespacesSurface): Promise<void> {
  app.post('/emulator/namespaces', async (request, reply) => {
    const { name } = bodyObject(request.body);
    if (name !== undefined && typeof name !== 'string') throw new ControlError(400, '"name" must be a string.');
    return reply.code(201).send(namespaces.create(name));
  });
  app.get('/emulator/namespaces', async () => ({ namespaces: namespaces.list() }));
  app.delete<{ Params: { name: string } }>('/emulator/namespaces/:name', async (request, reply) => {
    namespaces.delete(request.params.name);
    return reply.code(204).send();
  });
}
