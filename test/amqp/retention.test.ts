/**
 * A stored message must hold its own bytes and nothing more. Found by the fuzzer (test/fuzz):
 * the engine copied each transfer's payload with Buffer.from(), which serves anything under 4 KB
 * from Node's shared 8 KB allocation pool, and the broker then kept views of that copy. Each small
 * message pinned a whole 8 KB slab for as long as it was stored: about 80 times its size, and
 * 1.3 GB for a queue filled to 16 MB with 100-byte messages. The sections the emulator encodes
 * once per message on its first delivery (the properties with the broker's message-id, the client's
 * annotations) were views of rhea's 1 KB working buffer, which cost another 1 KB per message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AmqpPayload } from '../../src/amqp/codec.js';
import { startTestEmulator, uniqueName, type Emulator } from '../sdk/harness.js';
import { Raw, accepted, encodeMessage, frames } from './engineClient.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator?.close();
});

/** The size of the memory a stored message keeps alive through its body view. */
const retained = (p: unknown) => (p as AmqpPayload).body.buffer.byteLength;

describe('stored messages own exactly their bytes', () => {
  it('single-frame and multi-frame small deliveries keep no pooled slab alive', async () => {
    const queue = uniqueName('retain');
    emulator.broker.createQueue(queue);
    const raw = await Raw.authorized(emulator.amqpPort);
    raw.attach(0, 's', 'sender', { target: { address: queue } });
    await raw.credited('s');
    const messages = [0, 1, 2].map((i) => encodeMessage({ message_id: `m${i}`, body: `small body ${i}` }));
    raw.transfer(0, 0, messages[0]!);
    raw.transfer(0, 1, messages[1]!);
    // The third in three frames: the reassembled message must be just as tight.
    const m = messages[2]!;
    raw.transfer(0, 2, m.subarray(0, 10), { more: true });
    raw.c.amqp(0, frames.transfer({ handle: 0, more: true }), m.subarray(10, 20));
    raw.c.amqp(0, frames.transfer({ handle: 0, more: false }), m.subarray(20));
    await raw.c.waitFor(() => (emulator.broker.runtime(queue).activeMessageCount === 3 ? true : undefined));
    const stored = emulator.broker.peek(queue, 1, 10);
    expect(stored).toHaveLength(3);
    for (const [i, s] of stored.entries()) expect(retained(s.payload)).toBe(messages[i]!.length);
    raw.close();
  });

  it('the sections made on first delivery are kept at their own size', async () => {
    const queue = uniqueName('retain');
    emulator.broker.createQueue(queue);
    const raw = await Raw.authorized(emulator.amqpPort);
    raw.attach(0, 's', 'sender', { target: { address: queue } });
    await raw.credited('s');
    // No message-id (the broker stamps one on delivery) and a client annotation.
    raw.transfer(0, 0, encodeMessage({ subject: 'no id', message_annotations: { 'x-opt-client': 'kept' }, body: 'x' }));
    await raw.c.waitFor(() => (emulator.broker.runtime(queue).activeMessageCount === 1 ? true : undefined));
    raw.attach(1, 'r', 'receiver', { source: { address: queue }, target: { address: 'me' } });
    raw.flow(1, 0, 1);
    const h = await raw.handleOf('r');
    await raw.c.waitFor(() => raw.frames('transfer').find((f) => f.performative.handle === h));
    const p = emulator.broker.peek(queue, 1, 1)[0]!.payload as AmqpPayload;
    expect(p.stampedProperties!.bytes.buffer.byteLength).toBe(p.stampedProperties!.bytes.length);
    expect(p.annotationBytes!.buffer.byteLength).toBe(p.annotationBytes!.length);
    raw.disposition(0, 0, true, accepted());
    raw.close();
  });
});
