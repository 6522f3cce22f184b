/**
 * The limits the server announces in open and begin, read the way pyamqp before 7.15 reads them:
 * by position, a null being a null (azure-servicebus 7.12 to 7.14.3 failed on the next attach
 * when begin's handle-max was null). And the handle-max is held: a handle above it closes the
 * connection (AMQP 1.0 §2.7.2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDLE_MAX } from '../../src/amqp/limits.js';
import { startTestEmulator, type Emulator } from '../sdk/harness.js';
import { RawClient, frames, type StrictFrame } from './rawClient.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator?.close();
});

/** The encoded field at `index` of a performative, as rhea decoded it before unwrapping. */
const field = (f: StrictFrame, index: number) => f.performative.value[index];
/** Absent from the list, or encoded as AMQP null (0x40). */
const isNull = (v: any) => v === undefined || v === null || v.type?.typecode === 0x40;

async function begun(): Promise<{ c: RawClient; open: StrictFrame; begin: StrictFrame }> {
  const c = await RawClient.connect(emulator.amqpPort);
  await c.open();
  c.amqp(1, frames.begin({ next_outgoing_id: 0, incoming_window: 2048, outgoing_window: 2048 }));
  const begin = await c.waitFor(() => c.frame('begin'));
  return { c, open: c.frame('open')!, begin };
}

describe('open and begin carry every limit, with a value', () => {
  it('open: max-frame-size, channel-max and idle-time-out are present and non-null', async () => {
    const { c, open } = await begun();
    for (const [index, name] of [[2, 'max_frame_size'], [3, 'channel_max'], [4, 'idle_time_out']] as const) {
      expect({ name, isNull: isNull(field(open, index)) }).toEqual({ name, isNull: false });
      expect(open.performative[name]).toBeTypeOf('number');
    }
    expect(open.performative.max_frame_size).toBeGreaterThanOrEqual(512);
    expect(open.performative.idle_time_out).toBeGreaterThan(0);
    c.close();
  });

  it('begin: incoming-window, outgoing-window and handle-max are present and non-null', async () => {
    const { c, begin } = await begun();
    for (const [index, name] of [[2, 'incoming_window'], [3, 'outgoing_window'], [4, 'handle_max']] as const) {
      expect({ name, isNull: isNull(field(begin, index)) }).toEqual({ name, isNull: false });
      expect(begin.performative[name]).toBeTypeOf('number');
    }
    expect(begin.performative.handle_max).toBe(HANDLE_MAX);
    c.close();
  });
});

describe('handle-max is held', () => {
  it('a link on the highest announced handle attaches', async () => {
    const { c } = await begun();
    c.amqp(1, frames.attach({ name: 'top', handle: HANDLE_MAX, role: false, source: { address: 'x' } as any, target: { address: '$cbs' } as any } as any));
    const attach = await c.waitFor(() => c.frame('attach'));
    expect(attach.performative.name).toBe('top');
    expect(c.frame('close')).toBeUndefined();
    c.close();
  });

  it('a handle above it closes the connection with amqp:connection:framing-error; others are untouched', async () => {
    const { c } = await begun();
    c.amqp(1, frames.attach({ name: 'over', handle: HANDLE_MAX + 1, role: false, source: { address: 'x' } as any, target: { address: '$cbs' } as any } as any));
    await c.waitClosed();
    expect(c.frame('attach')).toBeUndefined();
    expect(c.frame('close')?.performative.error?.condition).toBe('amqp:connection:framing-error');
    const other = await begun();
    expect(other.begin.performative.handle_max).toBe(HANDLE_MAX);
    other.c.close();
  });
});
