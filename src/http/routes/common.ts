/** Route schemas and small helpers shared by the resource plugins. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isBrokerError } from '../../broker/errors.js';
import { ENTRY_CONTENT_TYPE, FEED_CONTENT_TYPE } from '../atom.js';
import { HttpError } from '../errors.js';
import {
  ENTITY_NAME_MAX,
  ENTITY_NAME_PATTERN,
  RULE_NAME_MAX,
  RULE_NAME_PATTERN,
  SUBSCRIPTION_NAME_MAX,
  SUBSCRIPTION_NAME_PATTERN,
} from '../paths.js';
import type { XmlObject } from '../xml.js';

const xmlDoc = (description: string) => ({ type: 'string', description }) as const;

/** Response schemas: documentation only (the payload is XML text, which fastify sends as is). */
export const entryResponses = (...ok: number[]) => ({
  ...Object.fromEntries(ok.map((c) => [c, xmlDoc('Atom entry (application/atom+xml;type=entry)')])),
  '4xx': xmlDoc('Service Bus error: <Error><Code/><Detail/></Error>'),
  '5xx': xmlDoc('Service Bus error: <Error><Code/><Detail/></Error>'),
});
export const feedResponses = {
  200: xmlDoc('Atom feed (application/atom+xml;type=feed)'),
  '4xx': xmlDoc('Service Bus error: <Error><Code/><Detail/></Error>'),
  '5xx': xmlDoc('Service Bus error: <Error><Code/><Detail/></Error>'),
};
export const deleteResponses = {
  200: { type: 'null', description: 'Deleted (empty body)' },
  '4xx': xmlDoc('Service Bus error: <Error><Code/><Detail/></Error>'),
};

const apiVersion = { type: 'string', maxLength: 32 } as const;

export const entityQuerySchema = {
  type: 'object',
  properties: { 'api-version': apiVersion, enrich: { type: 'boolean' } },
} as const;

export const listQuerySchema = {
  type: 'object',
  properties: {
    'api-version': apiVersion,
    enrich: { type: 'boolean' },
    $skip: { type: 'integer', minimum: 0 },
    $top: { type: 'integer', minimum: 0 },
  },
} as const;

export interface ListQuery {
  $skip?: number;
  $top?: number;
}

export const entityName = { type: 'string', minLength: 1, maxLength: ENTITY_NAME_MAX, pattern: ENTITY_NAME_PATTERN } as const;
export const subscriptionName = { type: 'string', minLength: 1, maxLength: SUBSCRIPTION_NAME_MAX, pattern: SUBSCRIPTION_NAME_PATTERN } as const;
export const ruleName = { type: 'string', minLength: 1, maxLength: RULE_NAME_MAX, pattern: RULE_NAME_PATTERN } as const;

export function paramsSchema<K extends string>(props: Record<K, object>) {
  return { type: 'object', properties: props, required: Object.keys(props) } as const;
}

/** The parsed XML body of a PUT (see plugins/xmlBody.ts). */
export function xmlBody(request: FastifyRequest): XmlObject {
  const body = request.body;
  if (body === undefined || body === null || typeof body !== 'object') {
    throw new HttpError(400, 'The request body is empty; an Atom entry with an entity description was expected.');
  }
  return body as XmlObject;
}

/** PUT with `If-Match` (the SDKs send `*`) updates; without, creates. */
export const isUpdate = (request: FastifyRequest): boolean => request.headers['if-match'] !== undefined;

export function sendEntry(reply: FastifyReply, status: number, xml: string): FastifyReply {
  return reply.code(status).type(ENTRY_CONTENT_TYPE).send(xml);
}

export function sendFeed(reply: FastifyReply, xml: string): FastifyReply {
  return reply.code(200).type(FEED_CONTENT_TYPE).send(xml);
}

/** Runs a broker lookup; undefined when it throws EntityNotFound. */
export function lookup<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (isBrokerError(e) && e.code === 'EntityNotFound') return undefined;
    throw e;
  }
}

/** `{ k: undefined }` for each clearable property absent from `props` (update = full replacement). */
export function withCleared<T extends object>(props: T, clearable: readonly string[]): T {
  const out: Record<string, unknown> = { ...(props as Record<string, unknown>) };
  for (const k of clearable) if (!(k in out)) out[k] = undefined;
  return out as T;
}
