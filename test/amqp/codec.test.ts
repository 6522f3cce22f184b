import { describe, expect, it } from 'vitest';
import rhea from 'rhea';
import { decodeMessage, encodeMessage, encodeMessageParts, splitBatch } from '../../src/amqp/codec.js';
import { bytesToUuid, dotnetBytesToGuid, guidToDotnetBytes, msToDotnetTicksBytes, uuidToBytes } from '../../src/amqp/dotnet.js';
import { parseAddress, stripToPath } from '../../src/amqp/address.js';
import type { StoredMessage } from '../../src/broker/types.js';
import { TypedValue } from '../../src/broker/typedValue.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const types = rhea.types as any;

const stored = (input: ReturnType<typeof decodeMessage>, extra: Partial<StoredMessage> = {}): StoredMessage =>
  ({
    ...input,
    messageId: input.messageId ?? 'generated',
    applicationProperties: input.applicationProperties ?? {},
    sequenceNumber: 7,
    enqueuedTimeUtc: Date.UTC(2025, 0, 1),
    timeToLiveMs: 1000,
    expiresAtUtc: Date.UTC(2025, 0, 1) + 1000,
    deliveryCount: 2,
    state: 'active',
    ...extra,
  }) as StoredMessage;

describe('codec', () => {
  it('keeps the client bytes of properties, application properties and body; rebuilds header and annotations', () => {
    const raw = rhea.message.encode({
      message_id: types.wrap_uuid(uuidToBytes('0f8fad5b-d9cb-469f-a165-70867728950e')),
      group_id: 'session-1',
      ttl: 5000,
      content_type: 'application/json',
      application_properties: { small: types.wrap_int(5), big: types.wrap_long(1234567890123), u: types.wrap_uuid(Buffer.alloc(16, 3)) },
      message_annotations: { 'x-opt-partition-key': 'session-1', 'x-opt-sequence-number': 99, custom: 'kept' },
      body: rhea.message.data_section(Buffer.from('{"a":1}')),
    } as any);
    const input = decodeMessage(raw);
    expect(input).toMatchObject({ messageId: '0f8fad5b-d9cb-469f-a165-70867728950e', sessionId: 'session-1', partitionKey: 'session-1', timeToLiveMs: 5000, contentType: 'application/json', size: raw.length });
    const out = encodeMessage(stored(input, { lockedUntilUtc: Date.UTC(2025, 0, 1, 0, 1) }));
    // Application properties and body come back byte for byte.
    const appStart = raw.indexOf(Buffer.from([0x00, 0x53, 0x74]));
    expect(out.includes(raw.subarray(appStart))).toBe(true);
    const m = rhea.message.decode(out) as any;
    expect(m.delivery_count).toBe(2);
    expect(m.ttl).toBe(5000);
    expect(m.message_annotations['x-opt-sequence-number']).toBe(7);
    expect(m.message_annotations['x-opt-locked-until']).toEqual(new Date(Date.UTC(2025, 0, 1, 0, 1)));
    expect(m.message_annotations.custom).toBe('kept');
    expect(m.message_annotations['x-opt-partition-key']).toBe('session-1');
  });

  it('applies settlement property changes over the original application properties', () => {
    const input = decodeMessage(rhea.message.encode({ application_properties: { keep: 'x', change: 1 }, body: 'b' } as any));
    const out = encodeMessage(stored(input, { propertyChanges: new Map<string, unknown>([['change', 2], ['DeadLetterReason', 'why']]) }));
    expect((rhea.message.decode(out) as any).application_properties).toEqual({ keep: 'x', change: 2, DeadLetterReason: 'why' });
  });

  it("stamps the broker's message-id on a message sent without properties in the bytes rhea's writer makes", () => {
    const bare = Buffer.from('005375a00162', 'hex');
    // rhea writes empty header and properties sections ahead of the body.
    const rheaEncoded = rhea.message.encode({ body: rhea.message.data_section(Buffer.from('b')) }) as Buffer;
    expect(rheaEncoded.subarray(0, 8).toString('hex')).toBe('0053704500537345');
    for (const [id, raw] of [['0f1e2d3c4b5a69788796a5b4c3d2e1f0', bare], ['é'.repeat(100), rheaEncoded], ['x'.repeat(300), rheaEncoded]] as const) {
      const input = decodeMessage(raw);
      expect(input.messageId).toBeUndefined();
      expect(input.applicationProperties).toEqual({});
      expect((input.payload as { header?: unknown }).header).toBeUndefined();
      const message = stored(input, { messageId: id });
      const w = new types.Writer();
      w.write(types.described(types.wrap_ulong(0x73), types.wrap_list([types.wrap_string(id)])));
      const parts = encodeMessageParts(message);
      expect(parts[1]!.toString('hex')).toBe((w.toBuffer() as Buffer).toString('hex'));
      expect(rhea.message.decode(encodeMessage(message)).message_id).toBe(id);
    }
  });

  it('hands uuid and TimeSpan application properties to the broker as typed values, a 16-byte binary as bytes', () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const ticks = (ms: number) => types.described(types.wrap_symbol('com.microsoft:timespan'), types.wrap_long(ms * 10_000));
    const raw = rhea.message.encode({
      application_properties: {
        g: types.wrap_uuid(uuidToBytes(id)),
        bin: types.wrap_binary(uuidToBytes(id)),
        span: ticks(90_000),
        big: types.described(types.wrap_symbol('com.microsoft:timespan'), types.wrap_long(-1)),
        s: id,
      },
      body: 'x',
    });
    const props = decodeMessage(raw).applicationProperties!;
    expect(props.g).toEqual(new TypedValue('guid', id));
    expect(props.span).toEqual(new TypedValue('duration', 'PT1M30S'));
    expect(Buffer.isBuffer(props.bin)).toBe(true);
    expect(props.big).not.toBeInstanceOf(TypedValue);
    expect(props.s).toBe(id);
    // The bytes the client sent go back out unchanged.
    expect(rhea.message.decode(encodeMessage(stored(decodeMessage(raw)))).application_properties.g).toEqual(uuidToBytes(id));
  });

  it('splits a batch envelope into its messages', () => {
    const inner = ['a', 'b'].map((body) => rhea.message.encode({ body } as any));
    const envelope = rhea.message.encode({ body: rhea.message.data_sections(inner) } as any);
    expect(splitBatch(envelope).map((b) => (rhea.message.decode(b) as any).body)).toEqual(['a', 'b']);
  });

  it('rejects bytes that are not a message', () => {
    expect(() => decodeMessage(Buffer.from([1, 2, 3]))).toThrow();
  });
});

describe('.NET conventions', () => {
  it('writes lock tokens as GUIDs in ToByteArray order and reads them back', () => {
    const id = '00112233-4455-6677-8899-aabbccddeeff';
    expect(guidToDotnetBytes(id).toString('hex')).toBe('33221100554477668899aabbccddeeff');
    expect(dotnetBytesToGuid(guidToDotnetBytes(id))).toBe(id);
    expect(bytesToUuid(uuidToBytes(id))).toBe(id);
  });

  it('converts epoch milliseconds to .NET ticks', () => {
    expect(msToDotnetTicksBytes(0).readBigInt64BE()).toBe(621355968000000000n);
    expect(msToDotnetTicksBytes(1).readBigInt64BE()).toBe(621355968000010000n);
  });
});

describe('addresses', () => {
  it('reduces JS paths and Python URIs to broker paths', () => {
    expect(stripToPath('amqps://localhost:5672/q1')).toBe('q1');
    expect(parseAddress('amqps://localhost/topic/Subscriptions/sub')).toEqual({ kind: 'entity', entityPath: 'topic/Subscriptions/sub' });
    expect(parseAddress('q1/$management')).toEqual({ kind: 'management', entityPath: 'q1' });
    expect(parseAddress('Q1/$DeadLetterQueue/$Management')).toEqual({ kind: 'management', entityPath: 'Q1/$DeadLetterQueue' });
    expect(parseAddress('$cbs')).toEqual({ kind: 'cbs', entityPath: '' });
  });
});
