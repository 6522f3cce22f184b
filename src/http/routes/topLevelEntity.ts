/**
 * The list route and the PUT of queues and topics, which differ only in what they read, call and
 * write. PUT: an update keeps the entity's authorization rules unless the body brings its own
 * and clears what the body leaves out; a create is refused when the other kind holds the name
 * (queues and topics share one namespace of names).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BrokerApi } from '../../broker/api.js';
import { errors } from '../../broker/errors.js';
import type { AuthorizationRule } from '../../broker/types.js';
import { baseOf, byName, entryXml, feedXml, paginate, type Base, type EntryInput } from '../atom.js';
import { authorizationRulesFor } from '../serializers/authorizationRules.js';
import type { XmlObject } from '../xml.js';
import { feedResponses, listQuerySchema, lookup, sendEntry, sendFeed, withCleared, type ListQuery } from './common.js';

type Props = { authorizationRules?: readonly AuthorizationRule[] };
type View = { name: string; properties: { authorizationRules: readonly AuthorizationRule[] } };

export interface EntityKind<P extends Props, V extends View> {
  kind: 'queue' | 'topic';
  read(el: XmlObject): P;
  get(broker: BrokerApi, name: string): V;
  update(broker: BrokerApi, name: string, props: P): V;
  create(broker: BrokerApi, name: string, props: P): V;
  /** The entity of the other kind with this name, if any. */
  other(broker: BrokerApi, name: string): unknown;
  clearable: readonly string[];
  entry(base: Base, v: V): EntryInput;
  /** The kind's collection: `$Resources/{collection}` and its feed's title. */
  collection: 'Queues' | 'Topics';
  list(broker: BrokerApi): V[];
}

/** `GET /$Resources/{collection}`: the kind's entities in name order, a page ($skip, $top) at a time. */
export function listRoute<P extends Props, V extends View>(app: FastifyInstance, k: EntityKind<P, V>): void {
  const path = `$Resources/${k.collection}`;
  app.get<{ Querystring: ListQuery }>(`/${path}`, { schema: { querystring: listQuerySchema, response: feedResponses } }, async (request, reply) => {
    const base = baseOf(request);
    const page = paginate(k.list(app.admin.broker).sort(byName), request.query.$skip, request.query.$top);
    return sendFeed(reply, feedXml(base, path, k.collection, { ...page, items: page.items.map((v) => k.entry(base, v)) }, app.admin.now()));
  });
}

export function putEntity<P extends Props, V extends View>(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  name: string,
  el: XmlObject,
  update: boolean,
  k: EntityKind<P, V>,
): FastifyReply {
  const { broker, now } = app.admin;
  const props = k.read(el);
  const base = baseOf(request);
  if (update) {
    const current = lookup(() => k.get(broker, name));
    if (!current) throw errors.entityNotFound(name);
    props.authorizationRules = authorizationRulesFor(el, current.properties.authorizationRules, now());
    return sendEntry(reply, 200, entryXml(base, k.entry(base, k.update(broker, name, withCleared(props, k.clearable)))));
  }
  if (lookup(() => k.other(broker, name))) throw errors.entityExists(name);
  props.authorizationRules = authorizationRulesFor(el, [], now());
  const view = k.create(broker, name, props);
  request.log.info({ entity: view.name }, `${k.kind} created`);
  return sendEntry(reply, 201, entryXml(base, k.entry(base, view)));
}
