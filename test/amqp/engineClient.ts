/**
 * A raw AMQP session on top of RawClient for engine conformance tests: it authorizes with a CBS
 * put-token written as plain frames, then lets a test write any performative it likes and read
 * back exactly what the server wrote.
 */
import { createRequire } from 'node:module';
import rhea from 'rhea';
import { generateSasToken } from '../../src/auth/sas.js';
import { RawClient, frames, type StrictFrame } from './rawClient.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const message: any = (rhea as any).message;
const require = createRequire(import.meta.url);
const terminus = require('rhea/lib/terminus.js') as any;

export class Raw {
  private constructor(
    readonly c: RawClient,
    readonly port: number,
  ) {}

  /** Connects, opens, begins channel 0 and puts a namespace-wide token. */
  static async authorized(port: number, open: Record<string, unknown> = {}, begin: Record<string, unknown> = {}): Promise<Raw> {
    const raw = await Raw.connect(port, { open, begin });
    await raw.putToken();
    return raw;
  }

  /** Connects with SASL (ANONYMOUS, or PLAIN with user and password), opens and begins channel 0. */
  static async connect(
    port: number,
    o: { open?: Record<string, unknown>; begin?: Record<string, unknown>; mechanism?: string; user?: string; password?: string } = {},
  ): Promise<Raw> {
    const c = await RawClient.connect(port);
    c.header(3);
    await c.waitFor(() => c.frames.find((f) => f.type === 1 && f.code === 0x40));
    const response = o.mechanism === 'PLAIN' ? Buffer.from(`\0${o.user ?? ''}\0${o.password ?? ''}`) : Buffer.from('');
    c.sasl(frames.sasl_init({ mechanism: o.mechanism ?? 'ANONYMOUS', initial_response: response }));
    const outcome = await c.waitFor(() => c.frames.find((f) => f.type === 1 && f.code === 0x44));
    const raw = new Raw(c, port);
    if (outcome.performative.code !== 0) return raw;
    c.header(0);
    c.amqp(0, frames.open({ container_id: 'engine-test', hostname: 'localhost', max_frame_size: 65536, ...o.open }));
    await c.waitFor(() => c.frame('open'));
    c.amqp(0, frames.begin({ next_outgoing_id: 0, incoming_window: 100000, outgoing_window: 100000, ...o.begin }));
    await c.waitFor(() => c.frame('begin'));
    return raw;
  }

  private cbsAttached = false;
  private cbsCount = 0;

  /** Puts a SAS token on $cbs (namespace-wide unless `audiencePath`), returns the status code. */
  async putToken(t: { keyName?: string; key?: string; expiresAtSeconds?: number; audiencePath?: string } = {}): Promise<number> {
    const c = this.c;
    if (!this.cbsAttached) {
      this.cbsAttached = true;
      this.attach(100, 'cbs-out', 'sender', { target: { address: '$cbs' } });
      this.attach(101, 'cbs-in', 'receiver', { source: { address: '$cbs' }, target: { address: 'cbs-reply' } });
      this.flow(101, 0, 100);
      await this.credited('cbs-out');
    }
    const audience = `sb://localhost:${this.port}/${t.audiencePath ?? ''}`;
    const token = generateSasToken(audience, t.keyName ?? 'RootManageSharedAccessKey', t.key ?? 'SAS_KEY_VALUE', t.expiresAtSeconds ?? Math.floor(Date.now() / 1000) + 3600);
    const n = this.cbsCount++;
    this.transfer(100, n, message.encode({
      message_id: `put-${n}`, reply_to: 'cbs-reply', body: token,
      application_properties: { operation: 'put-token', type: 'servicebus.windows.net:sastoken', name: audience },
    }));
    const reply = await this.handleOf('cbs-in');
    const res = await c.waitFor(() => this.frames('transfer').filter((f) => f.performative.handle === reply)[n]);
    return message.decode(res.payload).application_properties['status-code'] as number;
  }

  /**
   * The handle the server chose for our link `name` (from its attach): the server's frames name
   * links by its own handles, which need not equal ours.
   */
  async handleOf(name: string): Promise<number> {
    const a = await this.c.waitFor(() => this.frames('attach').find((f) => f.performative.name === name));
    return a.performative.handle as number;
  }

  /** Waits for the server to grant credit on our sender link `name`. */
  async credited(name: string): Promise<void> {
    const h = await this.handleOf(name);
    await this.c.waitFor(() => this.frames('flow').find((f) => f.performative.handle === h && f.performative.link_credit > 0));
  }

  /** Frames the server wrote on our link `name`. */
  async on(name: string, kind: string): Promise<import('./rawClient.js').StrictFrame[]> {
    const h = await this.handleOf(name);
    return this.frames(kind).filter((f) => f.performative.handle === h);
  }

  frames(name: string): StrictFrame[] {
    return this.c.frames.filter((f) => f.name === name);
  }

  attach(handle: number, name: string, role: 'sender' | 'receiver', fields: Record<string, any> = {}): void {
    const f = { ...fields };
    if (f.source) f.source = terminus.source(f.source).described();
    if (f.target) f.target = terminus.target(f.target).described();
    this.c.amqp(0, frames.attach({ name, handle, role: role === 'receiver', snd_settle_mode: 0, rcv_settle_mode: 0, initial_delivery_count: role === 'sender' ? 0 : undefined, ...f }));
  }

  flow(handle: number, deliveryCount: number, credit: number, extra: Record<string, unknown> = {}): void {
    this.c.amqp(0, frames.flow({ next_incoming_id: 0, incoming_window: 100000, next_outgoing_id: 0, outgoing_window: 100000, handle, delivery_count: deliveryCount, link_credit: credit, ...extra }));
  }

  transfer(handle: number, deliveryId: number, payload: Buffer, extra: Record<string, unknown> = {}): void {
    this.c.amqp(0, frames.transfer({ handle, delivery_id: deliveryId, delivery_tag: Buffer.from([deliveryId & 0xff]), message_format: 0, ...extra }), payload);
  }

  disposition(first: number, last: number, settled: boolean, state: unknown): void {
    this.c.amqp(0, frames.disposition({ role: true, first, last, settled, state }));
  }

  close(): void {
    this.c.close();
  }
}

export const encodeMessage = (m: Record<string, unknown>): Buffer => message.encode(m);
export const accepted = () => message.accepted().described();
export { frames };
