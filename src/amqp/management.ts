/**
 * The `<entity>/$management` node: request/response operations the SDKs use, each
 * translated into one broker call. Field parsing is strict: a missing or mistyped field is a 400
 * with com.microsoft:argument-error, never an exception that reaches the connection.
 */
import type { BrokerApi } from '../broker/api.js';
import type { CorrelationFilter, MessageInput, ReceiveMode, RuleAction, RuleFilter, StoredMessage } from '../broker/types.js';
import { decodeMessage, encodeMessage, MessageDecodeError } from './codec.js';
import { bytesToUuid, uuidToBytes } from './dotnet.js';
import { ArgumentProblem, toManagementStatus } from './errors.js';
import { propertiesToModify } from './propertyValues.js';
import { types } from './rhea.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface ManagementResponse {
  statusCode: number;
  description: string;
  condition?: string;
  body?: unknown;
}

type Body = Record<string, unknown>;

// ---- request field readers -------------------------------------------------------------------

function field(body: Body, name: string, required: true): unknown;
function field(body: Body, name: string, required?: false): unknown | undefined;
function field(body: Body, name: string, required = false): unknown {
  const v = body[name];
  if ((v === undefined || v === null) && required) throw new ArgumentProblem(`The request is missing the required field '${name}'.`);
  return v;
}

function asLong(v: unknown, name: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  if (Buffer.isBuffer(v) && v.length === 8) return Number(v.readBigInt64BE());
  if (v instanceof Date) return v.getTime();
  throw new ArgumentProblem(`The field '${name}' must be a number.`);
}

function asLongArray(v: unknown, name: string): number[] {
  if (!Array.isArray(v)) throw new ArgumentProblem(`The field '${name}' must be an array.`);
  return v.map((x) => asLong(x, name));
}

function asLockTokens(v: unknown): string[] {
  if (!Array.isArray(v)) throw new ArgumentProblem(`The field 'lock-tokens' must be an array of uuid.`);
  return v.map((t) => {
    if (Buffer.isBuffer(t) && t.length === 16) return bytesToUuid(t);
    if (typeof t === 'string' && /^[0-9a-f-]{36}$/i.test(t)) return t.toLowerCase();
    throw new ArgumentProblem(`The field 'lock-tokens' must be an array of uuid.`);
  });
}

function asOptString(v: unknown, name: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  throw new ArgumentProblem(`The field '${name}' must be a string.`);
}

function asOptMap(v: unknown, name: string): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v)) return v as Record<string, unknown>;
  throw new ArgumentProblem(`The field '${name}' must be a map.`);
}

// ---- response builders -----------------------------------------------------------------------

const ok = (body?: unknown): ManagementResponse => ({ statusCode: 200, description: 'OK', body });
const noContent = (condition?: string): ManagementResponse => ({ statusCode: 204, description: 'No Content', condition });
const longArray = (xs: number[]) => types.wrap_array(xs, 0x81);
const timestampArray = (xs: number[]) => types.wrap_array(xs, 0x83);

function messageEntries(messages: StoredMessage[], withLockToken: boolean, omitBody = false) {
  return types.wrap_list(
    messages.map((m) => {
      const entry: Record<string, unknown> = {
        message: types.wrap_binary(encodeMessage(m, { withState: true, lockTokenAnnotation: withLockToken, omitBody })),
      };
      if (withLockToken && m.lockToken) entry['lock-token'] = types.wrap_uuid(uuidToBytes(m.lockToken));
      return types.wrap_map(entry);
    }),
  );
}

// ---- rules -----------------------------------------------------------------------------------

const SUBSCRIPTION_PATH = /^(.+)\/subscriptions\/([^/]+)$/i;

function subscriptionOf(path: string): { topic: string; subscription: string } {
  const m = SUBSCRIPTION_PATH.exec(path);
  if (!m) throw new ArgumentProblem('Rule operations are only valid on a subscription.');
  return { topic: m[1]!, subscription: m[2]! };
}

function parseRuleDescription(d: Record<string, unknown>): { filter: RuleFilter; action: RuleAction } {
  let filter: RuleFilter = { type: 'true' };
  const sql = asOptMap(d['sql-filter'], 'sql-filter');
  const corr = asOptMap(d['correlation-filter'], 'correlation-filter');
  if (sql) filter = { type: 'sql', expression: String(field(sql, 'expression', true)) };
  else if (corr) {
    const f: CorrelationFilter = { type: 'correlation', properties: asOptMap(corr.properties, 'properties') ?? {} };
    const pick = (k: string) => asOptString(corr[k], k);
    f.correlationId = pick('correlation-id');
    f.messageId = pick('message-id');
    f.to = pick('to');
    f.replyTo = pick('reply-to');
    f.subject = pick('label');
    f.sessionId = pick('session-id');
    f.replyToSessionId = pick('reply-to-session-id');
    f.contentType = pick('content-type');
    for (const k of Object.keys(f) as (keyof CorrelationFilter)[]) if (f[k] === undefined) delete f[k];
    filter = f;
  }
  const act = asOptMap(d['sql-rule-action'], 'sql-rule-action');
  const action: RuleAction = act ? { type: 'sql', expression: String(field(act, 'expression', true)) } : { type: 'empty' };
  return { filter, action };
}

const described = (code: bigint, list: unknown[]) => {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64BE(code);
  return types.described(types.wrap_ulong(buf), types.wrap_list(list));
};

/** A long beyond 2^53 (a bigint, from the admin API) as an AMQP long or ulong; rhea cannot wrap bigints. */
function wideInteger(v: unknown): unknown {
  if (typeof v !== 'bigint') return v;
  const b = Buffer.alloc(8);
  if (v > 0x7fffffffffffffffn) {
    b.writeBigUInt64BE(BigInt.asUintN(64, v));
    return types.wrap_ulong(b);
  }
  b.writeBigInt64BE(BigInt.asIntN(64, v));
  return types.wrap_long(b);
}

function encodeFilter(f: RuleFilter) {
  switch (f.type) {
    case 'true':
      return described(0x0000001370000007n, []);
    case 'false':
      return described(0x0000001370000008n, []);
    case 'sql':
      return described(0x0000001370000006n, [f.expression]);
    case 'correlation':
      return described(0x0000001370000009n, [
        f.correlationId ?? null,
        f.messageId ?? null,
        f.to ?? null,
        f.replyTo ?? null,
        f.subject ?? null,
        f.sessionId ?? null,
        f.replyToSessionId ?? null,
        f.contentType ?? null,
        types.wrap_map(Object.fromEntries(Object.entries(f.properties ?? {}).map(([k, v]) => [k, wideInteger(v)]))),
      ]);
  }
}

function encodeAction(a: RuleAction) {
  return a.type === 'sql' ? described(0x0000013700000006n, [a.expression]) : described(0x0000013700000005n, []);
}

// ---- the node --------------------------------------------------------------------------------

export interface ManagementRequestContext {
  broker: BrokerApi;
  /** Broker path of the entity the node belongs to. */
  path: string;
  /** The transaction the request was sent in (its transfer's transactional-state). */
  transactionId?: string;
}

export function handleManagementRequest(ctx: ManagementRequestContext, operation: unknown, rawBody: unknown): ManagementResponse {
  try {
    if (typeof operation !== 'string') throw new ArgumentProblem("The request has no 'operation' application property.");
    const body = (rawBody && typeof rawBody === 'object' && !Array.isArray(rawBody) && !Buffer.isBuffer(rawBody) ? rawBody : {}) as Body;
    return dispatch(ctx, operation, body);
  } catch (e) {
    const s = toManagementStatus(e);
    return { statusCode: s.statusCode, description: s.description, condition: s.condition };
  }
}

function dispatch({ broker, path, transactionId }: ManagementRequestContext, operation: string, body: Body): ManagementResponse {
  // The empty string is a session id like any other.
  const sessionId = () => asOptString(body['session-id'], 'session-id');
  switch (operation) {
    case 'com.microsoft:renew-lock': {
      const expirations = broker.renewLock(path, asLockTokens(field(body, 'lock-tokens', true)), { sessionId: sessionId() });
      return ok(types.wrap_map({ expirations: timestampArray(expirations) }));
    }
    case 'com.microsoft:update-disposition': {
      const status = field(body, 'disposition-status', true);
      const tokens = asLockTokens(field(body, 'lock-tokens', true));
      const props = propertiesToModify(body['properties-to-modify']);
      const opts = { sessionId: sessionId(), transactionId };
      for (const token of tokens) {
        switch (status) {
          case 'completed':
            broker.complete(path, token, opts);
            break;
          case 'abandoned':
            broker.abandon(path, token, props, opts);
            break;
          case 'defered':
          case 'deferred':
            broker.defer(path, token, props, opts);
            break;
          case 'suspended':
            broker.deadLetter(
              path,
              token,
              {
                reason: asOptString(body['deadletter-reason'], 'deadletter-reason') || undefined,
                description: asOptString(body['deadletter-description'], 'deadletter-description') || undefined,
                propertiesToModify: props,
              },
              opts,
            );
            break;
          default:
            throw new ArgumentProblem(`Unknown disposition-status '${String(status)}'.`);
        }
      }
      return ok(types.wrap_map({}));
    }
    case 'com.microsoft:receive-by-sequence-number': {
      const seqs = asLongArray(field(body, 'sequence-numbers', true), 'sequence-numbers');
      const settle = body['receiver-settle-mode'];
      const mode: ReceiveMode = settle === 0 ? 'receiveAndDelete' : 'peekLock';
      const messages = broker.receiveDeferred(path, seqs, mode, sessionId());
      return ok(types.wrap_map({ messages: messageEntries(messages, mode === 'peekLock') }));
    }
    case 'com.microsoft:peek-message': {
      const from = asLong(field(body, 'from-sequence-number', true), 'from-sequence-number');
      const count = asLong(field(body, 'message-count', true), 'message-count');
      const messages = broker.peek(path, from, count, sessionId());
      if (messages.length === 0) return noContent();
      return ok(types.wrap_map({ messages: messageEntries(messages, false, body['omit-message-body'] === true) }));
    }
    case 'com.microsoft:schedule-message': {
      const list = field(body, 'messages', true);
      if (!Array.isArray(list)) throw new ArgumentProblem("The field 'messages' must be a list.");
      const inputs: MessageInput[] = list.map((entry) => {
        const m = asOptMap(entry, 'messages');
        const raw = m?.message;
        if (!Buffer.isBuffer(raw)) throw new ArgumentProblem("Each scheduled message needs a binary 'message'.");
        try {
          return decodeMessage(raw);
        } catch (e) {
          if (e instanceof MessageDecodeError) throw new ArgumentProblem(e.message);
          throw e;
        }
      });
      const seqs = broker.schedule(path, inputs, { transactionId });
      return ok(types.wrap_map({ 'sequence-numbers': longArray(seqs) }));
    }
    case 'com.microsoft:cancel-scheduled-message': {
      broker.cancelScheduled(path, asLongArray(field(body, 'sequence-numbers', true), 'sequence-numbers'));
      return ok(types.wrap_map({}));
    }
    case 'com.microsoft:renew-session-lock': {
      const id = asOptString(field(body, 'session-id', true), 'session-id')!;
      return ok(types.wrap_map({ expiration: types.wrap_timestamp(broker.renewSessionLock(path, id)) }));
    }
    case 'com.microsoft:set-session-state': {
      const id = asOptString(field(body, 'session-id', true), 'session-id')!;
      const state = body['session-state'];
      if (state !== undefined && state !== null && !Buffer.isBuffer(state)) throw new ArgumentProblem("The field 'session-state' must be binary or null.");
      broker.setSessionState(path, id, state ?? null);
      return ok(types.wrap_map({}));
    }
    case 'com.microsoft:get-session-state': {
      const id = asOptString(field(body, 'session-id', true), 'session-id')!;
      const state = broker.getSessionState(path, id);
      return ok(types.wrap_map({ 'session-state': state === null ? null : types.wrap_binary(Buffer.from(state)) }));
    }
    case 'com.microsoft:get-message-sessions': {
      const skip = body.skip === undefined ? 0 : asLong(body.skip, 'skip');
      const top = body.top === undefined ? 100 : asLong(body.top, 'top');
      const last = body['last-updated-time'];
      const lastUpdatedAfter = last === undefined || last === null ? undefined : asLong(last, 'last-updated-time');
      const ids = broker.listSessions(path, { skip, top, lastUpdatedAfter: lastUpdatedAfter && lastUpdatedAfter > 0 ? lastUpdatedAfter : undefined });
      if (ids.length === 0) return noContent();
      return ok(types.wrap_map({ skip: types.wrap_int(skip + ids.length), 'sessions-ids': types.wrap_array(ids, 0xb1) }));
    }
    case 'com.microsoft:batch-delete-messages': {
      const count = asLong(field(body, 'message-count', true), 'message-count');
      const before = body['enqueued-time-utc'];
      const n = broker.deleteMessages(path, {
        count,
        enqueuedBeforeUtc: before === undefined || before === null ? undefined : asLong(before, 'enqueued-time-utc'),
        sessionId: sessionId(),
      });
      if (n === 0) return noContent('com.microsoft:message-not-found');
      return ok(types.wrap_map({ 'message-count': types.wrap_int(n) }));
    }
    case 'com.microsoft:add-rule': {
      const { topic, subscription } = subscriptionOf(path);
      const name = asOptString(field(body, 'rule-name', true), 'rule-name')!;
      const { filter, action } = parseRuleDescription(asOptMap(field(body, 'rule-description', true), 'rule-description')!);
      broker.createRule(topic, subscription, name, filter, action);
      return ok(types.wrap_map({}));
    }
    case 'com.microsoft:remove-rule': {
      const { topic, subscription } = subscriptionOf(path);
      broker.deleteRule(topic, subscription, asOptString(field(body, 'rule-name', true), 'rule-name')!);
      return ok(types.wrap_map({}));
    }
    case 'com.microsoft:enumerate-rules': {
      const { topic, subscription } = subscriptionOf(path);
      const skip = body.skip === undefined ? 0 : asLong(body.skip, 'skip');
      const top = body.top === undefined ? Number.MAX_SAFE_INTEGER : asLong(body.top, 'top');
      const rules = broker.listRules(topic, subscription).slice(skip, skip + top);
      if (rules.length === 0) return noContent();
      return ok(
        types.wrap_map({
          rules: types.wrap_list(
            rules.map((r) =>
              types.wrap_map({
                'rule-description': described(0x0000013700000004n, [encodeFilter(r.filter), encodeAction(r.action), r.name, types.wrap_timestamp(r.createdAt)]),
              }),
            ),
          ),
        }),
      );
    }
    default:
      return { statusCode: 501, description: `The operation '${operation}' is not implemented.`, condition: 'amqp:not-implemented' };
  }
}
