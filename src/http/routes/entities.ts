/**
 * `/{name}`: queues and topics share one namespace of names and one URL shape, so this plugin
 * decides which one a request is about and hands it to queues.ts or topics.ts.
 * PUT: by the body's root element (QueueDescription or TopicDescription). GET and DELETE: by
 * what exists under that name.
 */
import type { FastifyInstance } from 'fastify';
import { errors } from '../../broker/errors.js';
import { QUEUE_ROOT } from '../serializers/queue.js';
import { TOPIC_ROOT } from '../serializers/topic.js';
import { readEntryContent } from '../serializers/common.js';
import { deleteResponses, entityName, entityQuerySchema, entryResponses, isUpdate, lookup, paramsSchema, xmlBody } from './common.js';
import { getQueue, putQueue } from './queues.js';
import { getTopic, putTopic } from './topics.js';

interface Params {
  entity: string;
}

export default async function entityRoutes(app: FastifyInstance): Promise<void> {
  const params = paramsSchema({ entity: entityName });
  const { broker } = app.admin;

  app.put<{ Params: Params }>(
    '/:entity',
    { schema: { params, querystring: entityQuerySchema, response: entryResponses(200, 201) } },
    async (request, reply) => {
      const { root, el } = readEntryContent(xmlBody(request), [QUEUE_ROOT, TOPIC_ROOT]);
      const name = request.params.entity;
      return root === QUEUE_ROOT
        ? putQueue(app, request, reply, name, el, isUpdate(request))
        : putTopic(app, request, reply, name, el, isUpdate(request));
    },
  );

  app.get<{ Params: Params }>(
    '/:entity',
    { schema: { params, querystring: entityQuerySchema, response: entryResponses(200) } },
    async (request, reply) => {
      const name = request.params.entity;
      const queue = lookup(() => broker.getQueue(name));
      if (queue) return getQueue(app, request, reply, queue);
      const topic = lookup(() => broker.getTopic(name));
      if (topic) return getTopic(app, request, reply, topic);
      throw errors.entityNotFound(name);
    },
  );

  app.delete<{ Params: Params }>(
    '/:entity',
    { schema: { params, querystring: entityQuerySchema, response: deleteResponses } },
    async (request, reply) => {
      const name = request.params.entity;
      if (lookup(() => broker.getQueue(name))) broker.deleteQueue(name);
      else if (lookup(() => broker.getTopic(name))) broker.deleteTopic(name);
      else throw errors.entityNotFound(name);
      request.log.info({ entity: name }, 'entity deleted');
      return reply.code(200).send();
    },
  );
}
