/** Queues: the list route, and the handlers `/{name}` dispatches to for queues (see entities.ts). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { QueueView } from '../../broker/api.js';
import type { QueueProperties } from '../../broker/types.js';
import { baseOf, entryXml, type Base, type EntryInput } from '../atom.js';
import { QUEUE_CLEARABLE, QUEUE_ROOT, queueXml, readQueue } from '../serializers/queue.js';
import type { XmlObject } from '../xml.js';
import { sendEntry } from './common.js';
import { type EntityKind, listRoute, putEntity } from './topLevelEntity.js';

export function queueEntry(base: Base, v: QueueView): EntryInput {
  return {
    path: v.name,
    title: v.name,
    root: QUEUE_ROOT,
    description: queueXml(v, base.sb),
    createdAt: v.times.createdAt,
    updatedAt: v.times.updatedAt,
  };
}

export function getQueue(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, view: QueueView): FastifyReply {
  return sendEntry(reply, 200, entryXml(baseOf(request), queueEntry(baseOf(request), view)));
}

const QUEUE_KIND: EntityKind<Partial<QueueProperties>, QueueView> = {
  kind: 'queue',
  read: readQueue,
  get: (broker, name) => broker.getQueue(name),
  update: (broker, name, props) => broker.updateQueue(name, props),
  create: (broker, name, props) => broker.createQueue(name, props),
  other: (broker, name) => broker.getTopic(name),
  clearable: QUEUE_CLEARABLE,
  entry: queueEntry,
  collection: 'Queues',
  list: (broker) => broker.listQueues(),
};

export function putQueue(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, name: string, el: XmlObject, update: boolean): FastifyReply {
  return putEntity(app, request, reply, name, el, update, QUEUE_KIND);
}

export default async function queueRoutes(app: FastifyInstance): Promise<void> {
  listRoute(app, QUEUE_KIND);
}
