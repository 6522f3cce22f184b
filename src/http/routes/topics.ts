/** Topics: the list route, and the handlers `/{name}` dispatches to for topics (see entities.ts). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TopicView } from '../../broker/api.js';
import { errors } from '../../broker/errors.js';
import { baseOf, byName, entryXml, feedXml, paginate, type Base, type EntryInput } from '../atom.js';
import { authorizationRulesFor } from '../serializers/authorizationRules.js';
import { TOPIC_CLEARABLE, TOPIC_ROOT, readTopic, topicXml } from '../serializers/topic.js';
import type { XmlObject } from '../xml.js';
import { feedResponses, listQuerySchema, lookup, sendEntry, sendFeed, withCleared, type ListQuery } from './common.js';

export function topicEntry(v: TopicView): EntryInput {
  return {
    path: v.name,
    title: v.name,
    root: TOPIC_ROOT,
    description: topicXml(v),
    createdAt: v.times.createdAt,
    updatedAt: v.times.updatedAt,
  };
}

export function getTopic(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, view: TopicView): FastifyReply {
  return sendEntry(reply, 200, entryXml(baseOf(request), topicEntry(view)));
}

export function putTopic(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  name: string,
  el: XmlObject,
  update: boolean,
): FastifyReply {
  const { broker, now } = app.admin;
  const props = readTopic(el);
  const base = baseOf(request);
  if (update) {
    const current = lookup(() => broker.getTopic(name));
    if (!current) throw errors.entityNotFound(name);
    props.authorizationRules = authorizationRulesFor(el, current.properties.authorizationRules, now());
    const view = broker.updateTopic(name, withCleared(props, TOPIC_CLEARABLE));
    return sendEntry(reply, 200, entryXml(base, topicEntry(view)));
  }
  if (lookup(() => broker.getQueue(name))) throw errors.entityExists(name);
  props.authorizationRules = authorizationRulesFor(el, [], now());
  const view = broker.createTopic(name, props);
  request.log.info({ entity: view.name }, 'topic created');
  return sendEntry(reply, 201, entryXml(base, topicEntry(view)));
}

export default async function topicRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: ListQuery }>(
    '/$Resources/Topics',
    { schema: { querystring: listQuerySchema, response: feedResponses } },
    async (request, reply) => {
      const base = baseOf(request);
      const all = app.admin.broker.listTopics().sort(byName);
      const page = paginate(all, request.query.$skip, request.query.$top);
      return sendFeed(reply, feedXml(base, '$Resources/Topics', 'Topics', { ...page, items: page.items.map(topicEntry) }, app.admin.now()));
    },
  );
}
