/**
 * The request/response nodes: `$cbs` (put-token) and `<entity>/$management`. A request arrives on
 * the client's sender link; the response goes out on its receiver link (src/amqp/replies.ts).
 */
import type { Logger } from 'pino';
import type { BrokerApi } from '../broker/api.js';
import type { AuthConfig } from '../auth/types.js';
import { cbsResponse, handlePutToken } from './cbs.js';
import type { ConnectionContext } from './connectionContext.js';
import { checkEncoding, outcomes, type IncomingDelivery, type IncomingLink } from './engine/index.js';
import { handleManagementRequest, type ManagementResponse } from './management.js';
import { UNAUTHORIZED } from './errors.js';
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

/** Decodes a request after checking its encoding's bounds (rhea trusts the counts it reads). */
function decodeRequest(ctx: RequestContext, d: IncomingDelivery): Record<string, any> | undefined {
  try {
    checkEncoding(d.payload);
    return messageCodec.decode(d.payload) as Record<string, any>;
  } catch (e) {
    const description = `malformed request: ${(e as Error).message}`;
    ctx.log.info({ description }, 'request rejected');
    ctx.link.settle(d, { condition: 'amqp:decode-error', description });
    return undefined;
  }
}

function reply(ctx: RequestContext, request: Record<string, any>, nodePath: string, response: Record<string, unknown>): void {
  const target = findReplyLink(ctx.conn.replyLinks, ctx.link, request.reply_to, nodePath);
  if (!target) {
    ctx.log.debug({ replyTo: request.reply_to, node: nodePath }, 'no link to reply on; response dropped');
    return;
  }
  if (request.reply_to !== undefined) response.to = request.reply_to;
  target.send(response);
}

export function serveCbs(ctx: RequestContext, auth: AuthConfig, now: () => number): void {
  ctx.link.events.onMessage = (d) => {
    const request = decodeRequest(ctx, d);
    if (!request) return;
    const result = handlePutToken(ctx.conn, auth, now(), request);
    ctx.link.settle(d, outcomes.ACCEPTED);
    reply(ctx, request, '$cbs', cbsResponse(result, request.message_id));
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

export function serveManagement(ctx: RequestContext, broker: BrokerApi, path: string, nodePath: string): void {
  ctx.link.events.onMessage = (d) => {
    const request = decodeRequest(ctx, d);
    if (!request) return;
    const op = request.application_properties?.operation;
    const right = typeof op === 'string' ? OPERATION_RIGHT[op] : undefined;
    // Clients put a token for the entity or for its $management node: either covers the node.
    const res = right && !ctx.conn.isAuthorized(nodePath, right) ? unauthorized(ctx, path, right) : handleManagementRequest({ broker, path }, op, request.body);
    ctx.log.debug({ operation: op, status: res.statusCode }, 'management request');
    ctx.link.settle(d, outcomes.ACCEPTED);
    const application_properties: Record<string, unknown> = {
      statusCode: types.wrap_int(res.statusCode),
      statusDescription: res.description,
    };
    if (res.condition) application_properties.errorCondition = types.wrap_symbol(res.condition);
    reply(ctx, request, nodePath, { correlation_id: request.message_id, application_properties, body: res.body ?? null });
  };
}
