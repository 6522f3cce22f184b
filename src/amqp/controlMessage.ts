/**
 * A message the test control plane sends (the dashboard's "send"), built as an AMQP message and
 * read back through decodeMessage, so the broker stores exactly what a client's send would: every
 * SDK receives it as if another SDK had sent it. The body goes in a data section (UTF-8 text, or
 * the bytes of base64), as the .NET, Java, Python and Go SDKs send bodies.
 */
import type { MessageInput } from '../broker/types.js';
import type { ControlMessageSpec } from '../control/send.js';
import { decodeMessage } from './codec.js';
import { messageCodec, types } from './rhea.js';

export function encodeControlMessage(spec: ControlMessageSpec): MessageInput {
  const bytes = spec.bodyEncoding === 'base64' ? Buffer.from(spec.body, 'base64') : Buffer.from(spec.body, 'utf8');
  const msg: Record<string, unknown> = { body: messageCodec.data_section(bytes) };
  if (spec.messageId !== undefined) msg.message_id = spec.messageId;
  if (spec.sessionId !== undefined) msg.group_id = spec.sessionId;
  if (spec.contentType !== undefined) msg.content_type = spec.contentType;
  if (spec.correlationId !== undefined) msg.correlation_id = spec.correlationId;
  if (spec.subject !== undefined) msg.subject = spec.subject;
  if (spec.timeToLiveMs !== undefined) msg.ttl = spec.timeToLiveMs;
  if (spec.scheduledEnqueueTimeUtc !== undefined) {
    msg.message_annotations = { 'x-opt-scheduled-enqueue-time': types.wrap_timestamp(spec.scheduledEnqueueTimeUtc) };
  }
  if (spec.applicationProperties !== undefined && Object.keys(spec.applicationProperties).length > 0) {
    msg.application_properties = spec.applicationProperties;
  }
  return decodeMessage(messageCodec.encode(msg) as Buffer);
}
