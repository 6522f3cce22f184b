/** Queues: the list route, and the handlers `/{name}` dispatches to for queues (see entities.ts). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { QueueView } from '../../broker/api.js';
import { errors } from '../../broker/errors.js';
import { baseOf, byName, entryXml, feedXml, paginate, type Base, type EntryInput } from '../atom.js';
import { authorizationRulesFor } from '../serializers/authorizationRules.js';
import { QUEUE_CLEARABLE, QUEUE_ROOT, queueXml, readQueue } from '../serializers/queue.js';
import type { XmlObject } from '../xml.js';
import { feedResponses, listQuerySchema, lookup, sendEntry, sendFeed, withCleared, type ListQuery } from './common.js';

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

export function putQueue(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  name: string,
  el: XmlObject,
  update: boolean,
): FastifyReply {
  const { broker, now } = app.admin;
  const props = readQueue(el);
  const base = baseOf(request);
  if (update) {
    const current = lookup(() => broker.getQueue(name));
    if (!current) throw errors.entityNotFound(name);
    props.authorizationRules = authorizationRulesFor(el, current.properties.authorizationRules, now());
    const view = broker.updateQueue(name, withCleared(props, QUEUE_CLEARABLE));
    return sendEntry(reply, 200, entryXml(base, queueEntry(base, view)));
  }
  if (lookup(() => broker.getTopic(name))) throw errors.entityExists(name);
  props.authorizationRules = authorizationRulesFor(el, [], now());
  const view = broker.createQueue(name, props);
  request.log.info({ entity: view.name }, 'queue created');
  return sendEntry(reply, 201, entryXml(base, queueEntry(base, view)));
}

export default async function queueRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: ListQuery }>(
    '/$Resources/Queues',
    { schema: { querystring: listQuerySchema, response: feedResponses } },
    async (request, reply) => {
      const base = baseOf(request);
      const all = app.admin.broker.listQueues().sort(byName);
      const page = paginate(all, request.query.$skip, request.query.$top);
      return sendFeed(reply, feedXml(base, '$Resources/Queues', 'Queues', { ...page, items: page.items.map((v) => queueEntry(base, v)) }, app.admin.now()));
    },
  );
}
