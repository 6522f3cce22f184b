/**
 * The request/response nodes: `$cbs` (put-token) and `<entity>/$management`. A request arrives on
 * the client's sender link; the response goes out on its receiver link (src/amqp/replies.ts).
 */
import type { Logger } from 'pino';
import type { BrokerApi } from '../broker/api.js';
import type { AuthConfig } from '../auth/types.js';
import { cbsResponse, handlePutToken, type CbsTarget } from './cbs.js';
import type { ConnectionContext } from './connectionContext.js';
import { Decoder, Described, EncodingError, outcomes, type IncomingDelivery, type IncomingLink } from './engine/index.js';
import { handleManagementRequest, type ManagementResponse } from './management.js';
import { toManagementStatus, UNAUTHORIZED } from './errors.js';
import { transactionOf } from './coordinator.js';
import type { AccessRight } from '../auth/types.js';
import { findReplyLink } from './replies.js';
import { messageCodec, types } from './rhea.js';

/** Requests are small: a put-token, or a management call carrying at most a batch of messages. */
export const CBS_MAX_MESSAGE_SIZE = 64 * 1024;
export const MANAGEMENT_MAX_MESSAGE_SIZE = 1024 * 1024;

interface RequestContext {
  conn: ConnectionContext;
  link: IncomingLink;
  log: Logger;
}

/**
 * Checks that a request is a sequence of message sections (AMQP 1.0 section 3.2, descriptors 0x70
 * header to 0x78 footer) before rhea reads it. The bounded decoder enforces every count (rhea
 * trusts the counts it reads); the descriptors matter because rhea console.warn()s each section it
 * does not recognise, which would let a client print what it liked to the emulator's stderr.
 * Symbolic section descriptors are legal AMQP, but no SDK sends them and rhea knows them under
 * names of its own, so they are refused too.
 */
function checkSections(payload: Buffer): void {
  const d = new Decoder(payload);
  while (d.remaining() > 0) {
    const section = d.read();
    if (!(section instanceof Described) || typeof section.descriptor !== 'number' || section.descriptor < 0x70 || section.descriptor > 0x78) {
      throw new EncodingError('a request may hold only message sections (descriptors 0x70 to 0x78)');
    }
  }
}

/** Decodes a request after checking its sections and their encoding. */
function decodeRequest(ctx: RequestContext, d: IncomingDelivery): Record<string, any> | undefined {
  try {
    checkSections(d.payload);
    return messageCodec.decode(d.payload) as Record<string, any>;
  } catch (e) {
    const description = `malformed request: ${(e as Error).message}`;
    ctx.log.info({ description }, 'request rejected');
    ctx.link.settle(d, { condition: 'amqp:decode-error', description });
    return undefined;
  }
}

/**
 * A request's message-id as the response's correlation-id, in a form rhea can write: text, a ulong,
 * a uuid, or binary. rhea throws on any other type (a boolean, a negative long), and the request is
 * the client's: an id that does not fit is left out rather than allowed to end the connection.
 */
function correlationId(id: unknown): unknown {
  if (typeof id === 'string') return id;
  if (typeof id === 'number' && Number.isInteger(id) && id >= 0 && id < 2 ** 64) return id;
  if (Buffer.isBuffer(id)) return id.length === 16 ? id : types.wrap_binary(id);
  return undefined;
}

function reply(ctx: RequestContext, request: Record<string, any>, nodePath: string, response: Record<string, unknown>): void {
  // reply-to is an address: only text can be echoed as the response's `to`.
  const replyTo = typeof request.reply_to === 'string' ? request.reply_to : undefined;
  const target = findReplyLink(ctx.conn.replyLinks, ctx.link, replyTo, nodePath);
  if (!target) {
    ctx.log.debug({ replyTo, node: nodePath }, 'no link to reply on; response dropped');
    return;
  }
  if (replyTo !== undefined) response.to = replyTo;
  response.correlation_id = correlationId(request.message_id);
  target.send(response);
}

export function serveCbs(ctx: RequestContext, targetFor: (token: string) => CbsTarget, now: () => number): void {
  ctx.link.events.onMessage = (d) => {
    const request = decodeRequest(ctx, d);
    if (!request) return;
    const result = handlePutToken(ctx.conn, targetFor, now(), request);
    ctx.link.settle(d, outcomes.ACCEPTED);
    reply(ctx, request, '$cbs', cbsResponse(result));
  };
}

/**
 * The right each operation needs, as Azure checks it: reading and settling need Listen, putting
 * messages in needs Send, rules need Manage. The link itself attaches with any one of them.
 */
const OPERATION_RIGHT: Record<string, AccessRight> = {
  'com.microsoft:peek-message': 'Listen',
  'com.microsoft:receive-by-sequence-number': 'Listen',
  'com.microsoft:renew-lock': 'Listen',
  'com.microsoft:update-disposition': 'Listen',
  'com.microsoft:set-session-state': 'Listen',
  'com.microsoft:get-session-state': 'Listen',
  'com.microsoft:renew-session-lock': 'Listen',
  'com.microsoft:get-message-sessions': 'Listen',
  'com.microsoft:batch-delete-messages': 'Listen',
  'com.microsoft:schedule-message': 'Send',
  'com.microsoft:cancel-scheduled-message': 'Send',
  'com.microsoft:add-rule': 'Manage',
  'com.microsoft:remove-rule': 'Manage',
  'com.microsoft:enumerate-rules': 'Manage',
};

function unauthorized(ctx: RequestContext, path: string, right: AccessRight): ManagementResponse {
  const host = ctx.link.connection.remoteOpen?.hostname ?? 'localhost';
  return {
    statusCode: 401,
    condition: UNAUTHORIZED,
    description: `Unauthorized access. '${right}' claim(s) are required to perform this operation. Resource: 'sb://${host}/${path.toLowerCase()}'.`,
  };
}

/** Runs a request in the transaction its transfer names, if any; an unknown one is its answer. */
function inTransaction(ctx: RequestContext, d: IncomingDelivery, run: (transactionId: string | undefined) => ManagementResponse): ManagementResponse {
  let id: string | undefined;
  try {
    id = transactionOf(ctx.conn, d.state)?.id;
  } catch (e) {
    const s = toManagementStatus(e);
    return { statusCode: s.statusCode, description: s.description, condition: s.condition };
  }
  return run(id);
}

export function serveManagement(ctx: RequestContext, broker: BrokerApi, path: string, nodePath: string): void {
  ctx.link.events.onMessage = (d) => {
    const request = decodeRequest(ctx, d);
    if (!request) return;
    const op = request.application_properties?.operation;
    const right = typeof op === 'string' ? OPERATION_RIGHT[op] : undefined;
    // Clients put a token for the entity or for its $management node: either covers the node.
    const res = right && !ctx.conn.isAuthorized(nodePath, right) ? unauthorized(ctx, path, right) : inTransaction(ctx, d, (transactionId) => handleManagementRequest({ broker, path, transactionId }, op, request.body));
    ctx.log.debug({ operation: op, status: res.statusCode }, 'management request');
    ctx.link.settle(d, outcomes.ACCEPTED);
    const application_properties: Record<string, unknown> = {
      statusCode: types.wrap_int(res.statusCode),
      statusDescription: res.description,
    };
    if (res.condition) application_properties.errorCondition = types.wrap_symbol(res.condition);
    reply(ctx, request, nodePath, { application_properties, body: res.body ?? null });
  };
}
