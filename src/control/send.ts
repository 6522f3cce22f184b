/**
 * Sending one message through the control plane (the dashboard's "send"): the JSON a user types
 * checked into a spec, which the adapter turns into a message exactly as a client's send would be
 * stored (src/amqp/controlMessage.ts), so receivers of every SDK see an ordinary message.
 */
import type { MessageInput } from '../broker/types.js';
import { ControlError } from './errors.js';

export interface ControlMessageSpec {
  /** UTF-8 text, or base64 of the bytes when bodyEncoding is 'base64'. */
  body: string;
  bodyEncoding?: 'utf8' | 'base64';
  messageId?: string;
  sessionId?: string;
  contentType?: string;
  correlationId?: string;
  subject?: string;
  timeToLiveMs?: number;
  /** Epoch ms; in the future, the message is scheduled. */
  scheduledEnqueueTimeUtc?: number;
  applicationProperties?: Record<string, string | number | boolean | null>;
}

/** How the adapter turns a spec into what the broker stores. */
export type MessageWriter = (spec: ControlMessageSpec) => MessageInput;

const STRINGS = ['messageId', 'sessionId', 'contentType', 'correlationId', 'subject'] as const;

function optionalTime(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const ms = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) throw new ControlError(400, `"${name}" must be an ISO 8601 instant or epoch milliseconds.`);
  return ms;
}

/** A spec from untrusted JSON, else a 400 naming the field. */
export function messageSpec(input: Record<string, unknown>): ControlMessageSpec {
  const body = input.body ?? '';
  if (typeof body !== 'string') throw new ControlError(400, '"body" must be a string (text, or base64 with "bodyEncoding":"base64").');
  const enc = input.bodyEncoding ?? 'utf8';
  if (enc !== 'utf8' && enc !== 'base64') throw new ControlError(400, '"bodyEncoding" must be utf8 or base64.');
  if (enc === 'base64' && !/^[A-Za-z0-9+/]*={0,2}$/.test(body.replace(/\s+/g, ''))) throw new ControlError(400, '"body" is not valid base64.');
  const spec: ControlMessageSpec = { body, bodyEncoding: enc };
  for (const k of STRINGS) {
    const v = input[k];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v !== 'string') throw new ControlError(400, `"${k}" must be a string.`);
    spec[k] = v;
  }
  const ttl = input.timeToLiveMs;
  if (ttl !== undefined && ttl !== null) {
    if (typeof ttl !== 'number' || !Number.isSafeInteger(ttl) || ttl <= 0) throw new ControlError(400, '"timeToLiveMs" must be a positive whole number.');
    spec.timeToLiveMs = ttl;
  }
  spec.scheduledEnqueueTimeUtc = optionalTime(input.scheduledEnqueueTime, 'scheduledEnqueueTime');
  const props = input.applicationProperties;
  if (props !== undefined && props !== null) {
    if (typeof props !== 'object' || Array.isArray(props)) throw new ControlError(400, '"applicationProperties" must be an object.');
    for (const [k, v] of Object.entries(props)) {
      if (v !== null && !['string', 'number', 'boolean'].includes(typeof v)) {
        throw new ControlError(400, `Application property "${k}" must be a string, number, boolean or null.`);
      }
    }
    spec.applicationProperties = props as ControlMessageSpec['applicationProperties'];
  }
  return spec;
}
