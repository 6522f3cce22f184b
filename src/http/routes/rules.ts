/** Rules: `/{topic}/Subscriptions/{subscription}/Rules/` (list) and `…/Rules/{rule}`. */
import type { FastifyInstance } from 'fastify';
import type { RuleDescription } from '../../broker/types.js';
import { baseOf, byName, entryXml, feedXml, paginate, type EntryInput } from '../atom.js';
import { readEntryContent } from '../serializers/common.js';
import { RULE_ROOT, readRule, ruleXml } from '../serializers/rule.js';
import {
  deleteResponses,
  entityName,
  entityQuerySchema,
  entryResponses,
  feedResponses,
  isUpdate,
  listQuerySchema,
  paramsSchema,
  ruleName,
  sendEntry,
  sendFeed,
  subscriptionName,
  xmlBody,
  type ListQuery,
} from './common.js';

interface SubParams {
  topic: string;
  subscription: string;
}
interface Params extends SubParams {
  rule: string;
}

export function ruleEntry(topic: string, subscription: string, r: RuleDescription): EntryInput {
  return {
    path: `${topic}/Subscriptions/${subscription}/Rules/${r.name}`,
    title: r.name,
    root: RULE_ROOT,
    description: ruleXml(r),
    createdAt: r.createdAt,
    updatedAt: r.createdAt,
  };
}

export default async function ruleRoutes(app: FastifyInstance): Promise<void> {
  const { broker } = app.admin;
  const params = paramsSchema({ topic: entityName, subscription: subscriptionName, rule: ruleName });

  /** The names as created (original case), for ids. */
  const names = (topic: string, subscription: string): [string, string] => {
    const s = broker.getSubscription(topic, subscription);
    return [s.topicName, s.name];
  };

  app.get<{ Params: SubParams; Querystring: ListQuery }>(
    '/:topic/Subscriptions/:subscription/Rules/',
    { schema: { params: paramsSchema({ topic: entityName, subscription: subscriptionName }), querystring: listQuerySchema, response: feedResponses } },
    async (request, reply) => {
      const base = baseOf(request);
      const [t, s] = names(request.params.topic, request.params.subscription);
      const page = paginate(broker.listRules(t, s).sort(byName), request.query.$skip, request.query.$top);
      return sendFeed(
        reply,
        feedXml(base, `${t}/Subscriptions/${s}/Rules`, 'Rules', { ...page, items: page.items.map((r) => ruleEntry(t, s, r)) }, app.admin.now()),
      );
    },
  );

  app.put<{ Params: Params }>(
    '/:topic/Subscriptions/:subscription/Rules/:rule',
    { schema: { params, querystring: entityQuerySchema, response: entryResponses(200, 201) } },
    async (request, reply) => {
      const { el } = readEntryContent(xmlBody(request), [RULE_ROOT]);
      const { filter, action } = readRule(el);
      const [t, s] = names(request.params.topic, request.params.subscription);
      const update = isUpdate(request);
      const rule = update
        ? broker.updateRule(t, s, request.params.rule, filter, action)
        : broker.createRule(t, s, request.params.rule, filter, action);
      return sendEntry(reply, update ? 200 : 201, entryXml(baseOf(request), ruleEntry(t, s, rule)));
    },
  );

  app.get<{ Params: Params }>(
    '/:topic/Subscriptions/:subscription/Rules/:rule',
    { schema: { params, querystring: entityQuerySchema, response: entryResponses(200) } },
    async (request, reply) => {
      const [t, s] = names(request.params.topic, request.params.subscription);
      const rule = broker.getRule(t, s, request.params.rule);
      return sendEntry(reply, 200, entryXml(baseOf(request), ruleEntry(t, s, rule)));
    },
  );

  app.delete<{ Params: Params }>(
    '/:topic/Subscriptions/:subscription/Rules/:rule',
    { schema: { params, querystring: entityQuerySchema, response: deleteResponses } },
    async (request, reply) => {
      broker.deleteRule(request.params.topic, request.params.subscription, request.params.rule);
      return reply.code(200).send();
    },
  );
}
