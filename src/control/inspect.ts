/**
 * Inspection as JSON: entities with their runtime counts, the messages of an entity by state and
 * its sessions. Nothing here takes a lock or counts a delivery (the core's inspect verbs are
 * snapshots); bodies and session state are UTF-8 text when they are text, else base64.
 */
import type { BrokerApi, BrokerControlApi, InspectedSession } from '../broker/api.js';
import type { StoredMessage } from '../broker/types.js';
import { ControlError } from './errors.js';

export const MESSAGE_STATES = ['active', 'deferred', 'scheduled', 'locked', 'deadlettered'] as const;
export type InspectState = (typeof MESSAGE_STATES)[number];

/** How the adapter's payload becomes a body (src/amqp/payloadBody.ts for AMQP messages). */
export type BodyReader = (payload: unknown) => { kind: string; value: unknown };

export interface InspectedMessage {
  sequenceNumber: number;
  messageId: string;
  sessionId: string | null;
  state: InspectState;
  deliveryCount: number;
  enqueuedTime: string;
  expiresAt: string | null;
  lockedUntil: string | null;
  lockHolder: string | null;
  scheduledEnqueueTime: string | null;
  contentType: string | null;
  correlationId: string | null;
  subject: string | null;
  applicationProperties: Record<string, unknown>;
  body: string;
  bodyEncoding: 'utf8' | 'base64' | 'json';
  deadLetterReason: string | null;
  deadLetterErrorDescription: string | null;
  deadLetterSource: string | null;
}

export interface EntityInfo {
  path: string;
  kind: 'queue' | 'topic' | 'subscription';
  properties: Record<string, unknown>;
  runtime: Record<string, number>;
}

const iso = (ms: number | undefined): string | null =>
  ms === undefined || !Number.isFinite(ms) || ms >= 8.64e15 ? null : new Date(ms).toISOString();

/** Bytes as UTF-8 text when they decode cleanly, else base64. */
export function textOrBase64(bytes: Uint8Array): { text: string; encoding: 'utf8' | 'base64' } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = buf.toString('utf8');
  // eslint-disable-next-line no-control-regex
  if (Buffer.from(text, 'utf8').equals(buf) && !/[\u0000-\u0008\u000e-\u001f]/.test(text)) return { text, encoding: 'utf8' };
  return { text: buf.toString('base64'), encoding: 'base64' };
}

/** A value JSON can carry: bigints as strings, bytes as base64, dates as ISO, maps as objects. */
export function jsonSafe(v: unknown, depth = 0): unknown {
  if (depth > 32) return null;
  if (typeof v === 'bigint') return v.toString();
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), jsonSafe(x, depth + 1)]));
  if (Array.isArray(v)) return v.map((x) => jsonSafe(x, depth + 1));
  if (v !== null && typeof v === 'object') {
    if ('value' in v && 'typecode' in v) return jsonSafe((v as { value: unknown }).value, depth + 1);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonSafe(x, depth + 1)]));
  }
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}

function stateOf(m: StoredMessage, deadLettered: boolean): InspectState {
  if (deadLettered) return 'deadlettered';
  if (m.lockToken !== undefined) return 'locked';
  return m.state;
}

function body(m: StoredMessage, read: BodyReader): Pick<InspectedMessage, 'body' | 'bodyEncoding'> {
  const b = read(m.payload);
  if (b.value instanceof Uint8Array) {
    const { text, encoding } = textOrBase64(b.value);
    return { body: text, bodyEncoding: encoding };
  }
  if (typeof b.value === 'string') return { body: b.value, bodyEncoding: 'utf8' };
  return { body: JSON.stringify(jsonSafe(b.value)) ?? 'null', bodyEncoding: 'json' };
}

function describe(m: StoredMessage & { lockHolder?: string }, deadLettered: boolean, read: BodyReader): InspectedMessage {
  const props: Record<string, unknown> = { ...m.applicationProperties };
  for (const [k, v] of m.propertyChanges ?? []) props[k] = v;
  return {
    sequenceNumber: m.sequenceNumber,
    messageId: m.messageId,
    sessionId: m.sessionId ?? null,
    state: stateOf(m, deadLettered),
    deliveryCount: m.deliveryCount,
    enqueuedTime: iso(m.enqueuedTimeUtc)!,
    expiresAt: deadLettered ? null : iso(m.expiresAtUtc),
    lockedUntil: iso(m.lockedUntilUtc),
    lockHolder: m.lockHolder ?? null,
    scheduledEnqueueTime: iso(m.scheduledEnqueueTimeUtc),
    contentType: m.contentType ?? null,
    correlationId: m.correlationId ?? null,
    subject: m.subject ?? null,
    applicationProperties: jsonSafe(props) as Record<string, unknown>,
    ...body(m, read),
    deadLetterReason: m.deadLetterReason ?? null,
    deadLetterErrorDescription: m.deadLetterErrorDescription ?? null,
    deadLetterSource: m.deadLetterSource ?? null,
  };
}

export class Inspector {
  constructor(
    private readonly broker: BrokerApi & BrokerControlApi,
    private readonly readBody: BodyReader,
  ) {}

  entities(): EntityInfo[] {
    const out: EntityInfo[] = [];
    for (const q of this.broker.listQueues()) out.push({ path: q.name, kind: 'queue', properties: jsonSafe(q.properties) as Record<string, unknown>, runtime: this.held(q.name, q.runtime) });
    for (const t of this.broker.listTopics()) {
      out.push({ path: t.name, kind: 'topic', properties: jsonSafe(t.properties) as Record<string, unknown>, runtime: { ...t.runtime } });
      for (const s of this.broker.listSubscriptions(t.name)) {
        out.push({ path: `${t.name}/Subscriptions/${s.name}`, kind: 'subscription', properties: jsonSafe(s.properties) as Record<string, unknown>, runtime: this.held(`${t.name}/Subscriptions/${s.name}`, s.runtime) });
      }
    }
    return out;
  }

  /** Runtime counts plus what they fold into active: deferred and locked messages. */
  private held(path: string, runtime: object): Record<string, number> {
    const { deferred, locked } = this.broker.countHeld(path);
    return { ...(runtime as Record<string, number>), deferredMessageCount: deferred, lockedMessageCount: locked };
  }

  /** Messages of a queue or subscription (a topic: its scheduled ones), optionally of one state. */
  messages(path: string, options: { state?: string } = {}): InspectedMessage[] {
    const state = options.state;
    if (state !== undefined && !(MESSAGE_STATES as readonly string[]).includes(state)) {
      throw new ControlError(400, `"state" must be one of ${MESSAGE_STATES.join(', ')}.`);
    }
    const kind = this.kind(path);
    const main = this.broker.inspectMessages(path).map((m) => describe(m, false, this.readBody));
    const dead =
      kind === 'topic' || (state !== undefined && state !== 'deadlettered')
        ? []
        : this.broker.inspectMessages(`${path}/$DeadLetterQueue`).map((m) => describe(m, true, this.readBody));
    const all = [...main, ...dead];
    return state === undefined ? all : all.filter((m) => m.state === state);
  }

  sessions(path: string): (Omit<InspectedSession, 'state' | 'lockedUntilUtc' | 'lockHolder'> & {
    state: string | null;
    stateEncoding: 'utf8' | 'base64' | null;
    lockedUntil: string | null;
    lockHolder: string | null;
  })[] {
    if (this.kind(path) === 'topic') throw new ControlError(400, `'${path}' is a topic; sessions live in its subscriptions.`);
    return this.broker.inspectSessions(path).map((s) => {
      const state = s.state === null ? null : textOrBase64(s.state);
      return {
        sessionId: s.sessionId,
        active: s.active,
        deferred: s.deferred,
        scheduled: s.scheduled,
        locked: s.locked,
        state: state?.text ?? null,
        stateEncoding: state?.encoding ?? null,
        lockedUntil: iso(s.lockedUntilUtc),
        lockHolder: s.lockHolder ?? null,
      };
    });
  }

  /** A subscription's rules: name, filter and action as the core holds them. */
  rules(path: string): { name: string; filter: unknown; action: unknown; createdAt: string | null }[] {
    if (this.kind(path) !== 'subscription') throw new ControlError(400, `'${path}' is not a subscription; only subscriptions have rules.`);
    // Topic names may hold '/', subscription names may not.
    const i = path.toLowerCase().lastIndexOf('/subscriptions/');
    return this.broker.listRules(path.slice(0, i), path.slice(i + '/subscriptions/'.length)).map((r) => ({ name: r.name, filter: jsonSafe(r.filter), action: jsonSafe(r.action), createdAt: iso(r.createdAt) }));
  }

  private kind(path: string): 'queue' | 'topic' | 'subscription' {
    const kind = typeof path === 'string' && !/\/\$deadletterqueue$/i.test(path) ? this.broker.entityKind(path) : undefined;
    if (kind === undefined) throw new ControlError(404, `No queue, topic or subscription '${String(path)}'.`);
    return kind;
  }
}
