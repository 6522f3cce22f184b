/**
 * The transaction coordinator in raw frames: declare, transfers and dispositions carrying
 * transactional-state, discharge (commit, rollback), unknown ids, the one-entity rule, send via,
 * and the rollback of what a dropped connection left open. The 2-minute timeout runs on the
 * broker's clock and is tested in test/broker/transaction.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import rhea from 'rhea';
import { decodeMessage } from '../../src/amqp/codec.js';
import { Raw, encodeMessage, frames } from './engineClient.js';
import { startTestEmulator, uniqueName, type Emulator } from '../sdk/harness.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const types: any = (rhea as any).types;
// rhea's frame writer has no wrapper for a transfer's state field (a client of its own never sets one).
types.wrap_delivery_state ??= (v: unknown) => v;

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator?.close();
});

const described = (code: number, fields: unknown[]) => types.described(types.wrap_ulong(code), types.wrap_list(fields));
const transactional = (txn: Buffer, outcome?: unknown) => described(0x34, [types.wrap_binary(txn), outcome ?? null]);
const acceptedState = () => described(0x24, []);

/** A coordinator message: its amqp-value body is the described declare or discharge (rhea's message codec drops the descriptor). */
function coordinatorMessage(body: unknown): Buffer {
  const w = new types.Writer();
  w.write(body);
  return Buffer.concat([Buffer.from([0x00, 0x53, 0x77]), w.toBuffer()]);
}

/** A raw connection with a coordinator link (handle 0) and a delivery-id counter for the session. */
class TxnClient {
  private nextId = 1;
  private constructor(readonly raw: Raw) {}

  static async open(): Promise<TxnClient> {
    const raw = await Raw.authorized(emulator.amqpPort);
    const coordinator = described(0x30, [types.wrap_array(['amqp:local-transactions'], 0xa3)]);
    raw.c.amqp(0, frames.attach({ name: 'coord', handle: 0, role: false, snd_settle_mode: 0, rcv_settle_mode: 0, initial_delivery_count: 0, source: described(0x28, []), target: coordinator }));
    await raw.credited('coord');
    return new TxnClient(raw);
  }

  /** Sends a transfer and returns the state of the server's disposition for it. */
  async transfer(handle: number, payload: Buffer, state?: unknown): Promise<any> {
    const id = this.nextId++;
    this.raw.transfer(handle, id, payload, state ? { state } : {});
    const d = await this.raw.c.waitFor(() => this.raw.frames('disposition').find((f) => f.performative.first <= id && id <= (f.performative.last ?? f.performative.first)), 5000);
    return d.performative.state;
  }

  async declare(): Promise<Buffer> {
    const state = await this.transfer(0, coordinatorMessage(described(0x31, [null])));
    expect(Number(state.descriptor.value)).toBe(0x33);
    const [txnId] = state.value.map((v: any) => v.value);
    expect(Buffer.isBuffer(txnId)).toBe(true);
    return txnId;
  }

  discharge(txn: Buffer, fail: boolean): Promise<any> {
    return this.transfer(0, coordinatorMessage(described(0x32, [types.wrap_binary(txn), types.wrap_boolean(fail)])));
  }

  async sender(handle: number, address: string, properties?: Record<string, unknown>): Promise<void> {
    this.raw.attach(handle, `s-${handle}`, 'sender', { target: { address }, source: { address: 'client' }, ...(properties ? { properties } : {}) });
    await this.raw.credited(`s-${handle}`);
  }

  send(handle: number, body: string, txn?: Buffer): Promise<any> {
    return this.transfer(handle, encodeMessage({ body }), txn ? transactional(txn) : undefined);
  }
}

const code = (state: any) => Number(state.descriptor.value);
const fieldsOf = (state: any) => state.value.map((v: any) => v?.value ?? v);
const errorOf = (state: any) => {
  expect(code(state)).toBe(0x25);
  const err = state.value[0];
  return { condition: String(err.value[0].value), description: String(err.value[1].value) };
};
const count = (q: string) => emulator.broker.runtime(q).activeMessageCount;

describe('transaction coordinator', () => {
  it('attaches with a coordinator target and answers declare with declared and a txn-id', async () => {
    const c = await TxnClient.open();
    const attach = (await c.raw.on('coord', 'attach'))[0]!;
    expect(Number(attach.performative.target.descriptor.value)).toBe(0x30);
    const a = await c.declare();
    const b = await c.declare();
    expect(a.equals(b)).toBe(false);
    c.raw.close();
  });

  it('keeps a send invisible until the commit; the transfer outcome is transactional-state(accepted)', async () => {
    const q = uniqueName('txn-send');
    emulator.broker.createQueue(q);
    const c = await TxnClient.open();
    await c.sender(1, q);
    const txn = await c.declare();
    const state = await c.send(1, 'in-txn', txn);
    expect(code(state)).toBe(0x34);
    expect(fieldsOf(state)[0].equals(txn)).toBe(true);
    expect(code(state.value[1])).toBe(0x24);
    expect(count(q)).toBe(0);
    expect(code(await c.discharge(txn, false))).toBe(0x24);
    expect(count(q)).toBe(1);
    c.raw.close();
  });

  it('discharge with fail=true rolls the sends back', async () => {
    const q = uniqueName('txn-rollback');
    emulator.broker.createQueue(q);
    const c = await TxnClient.open();
    await c.sender(1, q);
    const txn = await c.declare();
    await c.send(1, 'dropped', txn);
    expect(code(await c.discharge(txn, true))).toBe(0x24);
    expect(count(q)).toBe(0);
    // The id is gone afterwards.
    expect(errorOf(await c.discharge(txn, false)).condition).toBe('amqp:transaction:unknown-id');
    c.raw.close();
  });

  it('answers an unknown txn-id with amqp:transaction:unknown-id, on discharge and on a transfer', async () => {
    const q = uniqueName('txn-unknown');
    emulator.broker.createQueue(q);
    const c = await TxnClient.open();
    await c.sender(1, q);
    expect(errorOf(await c.discharge(Buffer.from('txn:nope'), false)).condition).toBe('amqp:transaction:unknown-id');
    expect(errorOf(await c.send(1, 'x', Buffer.from('txn:nope'))).condition).toBe('amqp:transaction:unknown-id');
    expect(count(q)).toBe(0);
    c.raw.close();
  });

  it("refuses another connection's transaction", async () => {
    const q = uniqueName('txn-other-conn');
    emulator.broker.createQueue(q);
    const a = await TxnClient.open();
    const b = await TxnClient.open();
    await b.sender(1, q);
    const txn = await a.declare();
    expect(errorOf(await b.send(1, 'x', txn)).condition).toBe('amqp:transaction:unknown-id');
    a.raw.close();
    b.raw.close();
  });

  it('settles a received message at the commit only; the disposition answer is transactional too', async () => {
    const q = uniqueName('txn-complete');
    emulator.broker.createQueue(q);
    emulator.broker.send(q, [decodeMessage(encodeMessage({ body: 'm' }))]);
    const c = await TxnClient.open();
    c.raw.attach(2, 'r', 'receiver', { source: { address: q }, target: { address: 'client' }, rcv_settle_mode: 1 });
    c.raw.flow(2, 0, 10);
    const rh = await c.raw.handleOf('r');
    const t = await c.raw.c.waitFor(() => c.raw.frames('transfer').find((f) => f.performative.handle === rh));
    const deliveryId = t.performative.delivery_id as number;
    const txn = await c.declare();
    const before = c.raw.frames('disposition').length;
    c.raw.disposition(deliveryId, deliveryId, false, transactional(txn, acceptedState()));
    const reply = await c.raw.c.waitFor(() => c.raw.frames('disposition').slice(before).find((f) => f.performative.role === false && f.performative.first === deliveryId));
    expect(code(reply.performative.state)).toBe(0x34);
    expect(code(reply.performative.state.value[1])).toBe(0x24);
    expect(emulator.broker.runtime(q).totalMessageCount).toBe(1);
    expect(code(await c.discharge(txn, false))).toBe(0x24);
    expect(emulator.broker.runtime(q).totalMessageCount).toBe(0);
    c.raw.close();
  });

  it('refuses work on a second entity without send via (amqp:not-allowed), and the commit then fails', async () => {
    const a = uniqueName('txn-a');
    const b = uniqueName('txn-b');
    emulator.broker.createQueue(a);
    emulator.broker.createQueue(b);
    const c = await TxnClient.open();
    const other = await TxnClient.open();
    await c.sender(1, a);
    const txn = await c.declare();
    await c.send(1, 'to-a', txn);
    // A second connection's session holds only the link to b; the transaction is not its own.
    await other.sender(1, b);
    expect(errorOf(await other.send(1, 'x', txn)).condition).toBe('amqp:transaction:unknown-id');
    // On the transaction's own connection, a session with links to a single entity: not routed.
    c.raw.c.amqp(1, frames.begin({ remote_channel: null, next_outgoing_id: 0, incoming_window: 100000, outgoing_window: 100000 }));
    await c.raw.c.waitFor(() => c.raw.frames('begin')[1]);
    c.raw.c.amqp(1, frames.attach({ name: 'b-only', handle: 0, role: false, snd_settle_mode: 0, rcv_settle_mode: 0, initial_delivery_count: 0, source: described(0x28, []), target: described(0x29, [b]) }));
    await c.raw.c.waitFor(() => c.raw.frames('flow').find((f) => f.channel === 1 && f.performative.link_credit > 0));
    c.raw.c.amqp(1, frames.transfer({ handle: 0, delivery_id: 0, delivery_tag: Buffer.from([0]), message_format: 0, state: transactional(txn) }), encodeMessage({ body: 'to-b' }));
    const d = await c.raw.c.waitFor(() => c.raw.frames('disposition').find((f) => f.channel === 1));
    const err = errorOf(d.performative.state.value[1]);
    expect(err.condition).toBe('amqp:not-allowed');
    expect(err.description).toMatch(/cannot span multiple top-level entities/);
    expect(errorOf(await c.discharge(txn, false)).condition).toBe('amqp:transaction:rollback');
    expect(count(a)).toBe(0);
    expect(count(b)).toBe(0);
    c.raw.close();
    other.raw.close();
  });

  it('routes a send through the transaction entity when the session also links it (cross-entity clients)', async () => {
    const a = uniqueName('cross-a');
    const b = uniqueName('cross-b');
    emulator.broker.createQueue(a);
    emulator.broker.createQueue(b);
    const c = await TxnClient.open();
    await c.sender(1, a);
    await c.sender(2, b);
    const txn = await c.declare();
    await c.send(1, 'to-a', txn);
    expect(code(await c.send(2, 'to-b', txn))).toBe(0x34);
    expect(code(await c.discharge(txn, false))).toBe(0x24);
    expect(count(a)).toBe(1);
    expect(count(b)).toBe(1);
    c.raw.close();
  });

  it('sends to another entity via the transaction entity (com.microsoft:transfer-destination-address)', async () => {
    const a = uniqueName('via-a');
    const b = uniqueName('via-b');
    emulator.broker.createQueue(a);
    emulator.broker.createQueue(b);
    emulator.broker.send(a, [decodeMessage(encodeMessage({ body: 'in' }))]);
    const [m] = emulator.broker.openReceiver(a, { mode: 'peekLock' }).receive(1);
    const c = await TxnClient.open();
    await c.sender(1, a);
    await c.sender(2, a, { 'com.microsoft:transfer-destination-address': b });
    const attach = (await c.raw.on('s-2', 'attach'))[0]!;
    expect(attach.performative.properties).toMatchObject({ 'com.microsoft:transfer-destination-address': b });
    const txn = await c.declare();
    await c.send(1, 'also-a', txn);
    expect(code(await c.send(2, 'to-b', txn))).toBe(0x34);
    emulator.broker.complete(a, m!.lockToken!, { transactionId: txn.toString('utf8') });
    expect(count(b)).toBe(0);
    expect(code(await c.discharge(txn, false))).toBe(0x24);
    expect(count(b)).toBe(1);
    expect(count(a)).toBe(1);
    c.raw.close();
  });

  it('rolls back what a dropped connection left open', async () => {
    const q = uniqueName('txn-drop');
    emulator.broker.createQueue(q);
    const c = await TxnClient.open();
    await c.sender(1, q);
    const txn = await c.declare();
    await c.send(1, 'lost', txn);
    c.raw.close();
    const id = txn.toString('utf8');
    await c.raw.c.waitFor(() => {
      try {
        emulator.broker.dischargeTransaction(id, true);
        return undefined;
      } catch (e) {
        return (e as { code?: string }).code === 'TransactionUnknown' ? true : undefined;
      }
    }, 5000);
    expect(count(q)).toBe(0);
  });
});
