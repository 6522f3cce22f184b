/** Topics: the list route, and the handlers `/{name}` dispatches to for topics (see entities.ts). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TopicView } from '../../broker/api.js';
import type { TopicProperties } from '../../broker/types.js';
import { baseOf, entryXml, type Base, type EntryInput } from '../atom.js';
import { TOPIC_CLEARABLE, TOPIC_ROOT, readTopic, topicXml } from '../serializers/topic.js';
import type { XmlObject } from '../xml.js';
import { sendEntry } from './common.js';
import { type EntityKind, listRoute, putEntity } from './topLevelEntity.js';

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

const TOPIC_KIND: EntityKind<Partial<TopicProperties>, TopicView> = {
  kind: 'topic',
  read: readTopic,
  get: (broker, name) => broker.getTopic(name),
  update: (broker, name, props) => broker.updateTopic(name, props),
  create: (broker, name, props) => broker.createTopic(name, props),
  other: (broker, name) => broker.getQueue(name),
  clearable: TOPIC_CLEARABLE,
  entry: (_base, v) => topicEntry(v),
  collection: 'Topics',
  list: (broker) => broker.listTopics(),
};

export function putTopic(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, name: string, el: XmlObject, update: boolean): FastifyReply {
  return putEntity(app, request, reply, name, el, update, TOPIC_KIND);
}

export default async function topicRoutes(app: FastifyInstance): Promise<void> {
  listRoute(app, TOPIC_KIND);
}
