/**
 * Per-test namespaces over HTTP:
 *
 *   POST   /emulator/namespaces          {"name":"orders-test"} (optional) → 201 {name, keyName, key, connectionString, adminConnectionString}
 *   GET    /emulator/namespaces          → {namespaces: [...]}
 *   DELETE /emulator/namespaces/{name}   → 204; its AMQP connections are closed
 *
 * Every other /emulator route acts on the namespace whose key signs the request.
 */
import type { FastifyInstance } from 'fastify';
import { ControlError, type NamespacesSurface } from '../../control/index.js';
import { HttpError } from '../errors.js';
import { bodyObject } from './controlFaults.js';

export async function controlNamespaceRoutes(app: FastifyInstance, namespaces: NamespacesSurface, requestNamespace: () => string | undefined): Promise<void> {
  // Namespaces are the emulator's to make and remove: a namespace's own key manages only itself.
  const rootOnly = (): void => {
    const ns = requestNamespace();
    if (ns !== undefined) throw new HttpError(401, `Unauthorized: the key of namespace '${ns}' cannot create, list or delete namespaces; use the emulator's own key.`);
  };
  app.post('/emulator/namespaces', async (request, reply) => {
    rootOnly();
    const { name } = bodyObject(request.body);
    if (name !== undefined && typeof name !== 'string') throw new ControlError(400, '"name" must be a string.');
    return reply.code(201).send(namespaces.create(name));
  });
  app.get('/emulator/namespaces', async () => {
    rootOnly();
    return { namespaces: namespaces.list() };
  });
  app.delete<{ Params: { name: string } }>('/emulator/namespaces/:name', async (request, reply) => {
    rootOnly();
    namespaces.delete(request.params.name);
    return reply.code(204).send();
  });
}
