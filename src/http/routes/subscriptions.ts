/** Subscriptions: `/{topic}/Subscriptions/` (list) and `/{topic}/Subscriptions/{subscription}`. */
import type { FastifyInstance } from 'fastify';
import type { SubscriptionView } from '../../broker/api.js';
import { errors } from '../../broker/errors.js';
import { baseOf, byName, entryXml, feedXml, paginate, type Base, type EntryInput } from '../atom.js';
import { readEntryContent } from '../serializers/common.js';
import { SUBSCRIPTION_CLEARABLE, SUBSCRIPTION_ROOT, readSubscription, subscriptionXml } from '../serializers/subscription.js';
import {
  deleteResponses,
  entityName,
  entityQuerySchema,
  entryResponses,
  feedResponses,
  isUpdate,
  listQuerySchema,
  lookup,
  paramsSchema,
  sendEntry,
  sendFeed,
  subscriptionName,
  withCleared,
  xmlBody,
  type ListQuery,
} from './common.js';

interface Params {
  topic: string;
  subscription: string;
}

export function subscriptionEntry(base: Base, v: SubscriptionView): EntryInput {
  return {
    path: `${v.topicName}/Subscriptions/${v.name}`,
    title: v.name,
    root: SUBSCRIPTION_ROOT,
    description: subscriptionXml(v, base.sb),
    createdAt: v.times.createdAt,
    updatedAt: v.times.updatedAt,
  };
}

export default async function subscriptionRoutes(app: FastifyInstance): Promise<void> {
  const { broker } = app.admin;
  const params = paramsSchema({ topic: entityName, subscription: subscriptionName });

  app.get<{ Params: { topic: string }; Querystring: ListQuery }>(
    '/:topic/Subscriptions/',
    { schema: { params: paramsSchema({ topic: entityName }), querystring: listQuerySchema, response: feedResponses } },
    async (request, reply) => {
      const base = baseOf(request);
      const topic = request.params.topic;
      const all = broker.listSubscriptions(topic).sort(byName);
      const page = paginate(all, request.query.$skip, request.query.$top);
      const topicName = broker.getTopic(topic).name;
      return sendFeed(
        reply,
        feedXml(base, `${topicName}/Subscriptions`, 'Subscriptions', { ...page, items: page.items.map((v) => subscriptionEntry(base, v)) }, app.admin.now()),
      );
    },
  );

  app.put<{ Params: Params }>(
    '/:topic/Subscriptions/:subscription',
    { schema: { params, querystring: entityQuerySchema, response: entryResponses(200, 201) } },
    async (request, reply) => {
      const { topic, subscription } = request.params;
      const { el } = readEntryContent(xmlBody(request), [SUBSCRIPTION_ROOT]);
      const { properties, defaultRule } = readSubscription(el);
      const base = baseOf(request);
      if (isUpdate(request)) {
        // A DefaultRuleDescription only matters on create (Azure ignores it on update too).
        if (!lookup(() => broker.getSubscription(topic, subscription))) throw errors.entityNotFound(`${topic}/Subscriptions/${subscription}`);
        const view = broker.updateSubscription(topic, subscription, withCleared(properties, SUBSCRIPTION_CLEARABLE));
        return sendEntry(reply, 200, entryXml(base, subscriptionEntry(base, view)));
      }
      const view = defaultRule
        ? broker.createSubscription(topic, subscription, properties, defaultRule)
        : broker.createSubscription(topic, subscription, properties);
      request.log.info({ entity: `${view.topicName}/Subscriptions/${view.name}` }, 'subscription created');
      return sendEntry(reply, 201, entryXml(base, subscriptionEntry(base, view)));
    },
  );

  app.get<{ Params: Params }>(
    '/:topic/Subscriptions/:subscription',
    { schema: { params, querystring: entityQuerySchema, response: entryResponses(200) } },
    async (request, reply) => {
      const base = baseOf(request);
      const view = broker.getSubscription(request.params.topic, request.params.subscription);
      return sendEntry(reply, 200, entryXml(base, subscriptionEntry(base, view)));
    },
  );

  app.delete<{ Params: Params }>(
    '/:topic/Subscriptions/:subscription',
    { schema: { params, querystring: entityQuerySchema, response: deleteResponses } },
    async (request, reply) => {
      broker.deleteSubscription(request.params.topic, request.params.subscription);
      request.log.info({ entity: `${request.params.topic}/Subscriptions/${request.params.subscription}` }, 'subscription deleted');
      return reply.code(200).send();
    },
  );
}
