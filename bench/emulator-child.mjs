/**
 * The emulator in its own process (plain node on the build, no tsx: same footprint as the CLI),
 * with an IPC channel so the bench can build large states in-process (1,000,000 messages,
 * 100,000 sessions) and read the process's own memory. Clients still talk to it over AMQP.
 *
 *   child_process.fork('bench/emulator-child.mjs', [tlsDir], { execArgv: ['--expose-gc'] })
 *
 * Messages put in-process are encoded by rhea and decoded by the emulator's own codec, exactly
 * as the AMQP listener does for a transfer, so they are stored the same way.
 */
import { startEmulator } from '../dist/index.js';
import { decodeMessage } from '../dist/amqp/codec.js';
import rhea from 'rhea';

const emulator = await startEmulator({
  host: '127.0.0.1',
  amqpPort: 0,
  amqpsPort: null,
  httpPort: 0,
  logLevel: 'warn',
  tlsDir: process.argv[2],
});
const broker = emulator.broker;

function input(size, sessionId) {
  const body = Buffer.alloc(size, 0x61);
  const raw = rhea.message.encode({ ...(sessionId === undefined ? {} : { group_id: sessionId }), body: rhea.message.data_section(body) });
  return decodeMessage(raw);
}

const ops = {
  createQueue({ name, properties }) {
    broker.createQueue(name, properties);
    return {};
  },
  /** count messages of size bytes; with sessions, message i goes to session `s-${i % sessions}`. */
  fill({ queue, count, size, sessions }) {
    const started = performance.now();
    let batch = [];
    for (let i = 0; i < count; i++) {
      batch.push(input(size, sessions ? `s-${i % sessions}` : undefined));
      if (batch.length === 1000) {
        broker.send(queue, batch);
        batch = [];
      }
    }
    if (batch.length > 0) broker.send(queue, batch);
    return { ms: performance.now() - started };
  },
  /** Locks the first count messages and defers them; returns their sequence numbers. */
  deferFirst({ queue, count }) {
    const receiver = broker.openReceiver(queue, { mode: 'peekLock' });
    const got = [];
    while (got.length < count) {
      const msgs = receiver.receive(Math.min(1000, count - got.length));
      if (msgs.length === 0) break;
      got.push(...msgs);
    }
    receiver.close();
    for (const m of got) broker.defer(queue, m.lockToken);
    return { sequenceNumbers: got.map((m) => m.sequenceNumber) };
  },
  runtime({ queue }) {
    return broker.runtime(queue);
  },
  memory() {
    globalThis.gc?.();
    globalThis.gc?.();
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
  },
};

process.on('message', (msg) => {
  const { id, op, args } = msg;
  try {
    const result = ops[op](args ?? {});
    process.send({ id, result });
  } catch (e) {
    process.send({ id, error: String(e?.stack ?? e) });
  }
});
process.on('disconnect', () => {
  emulator.close().finally(() => process.exit(0));
});
process.send({ ready: true, amqpPort: emulator.amqpPort, connectionString: emulator.connectionString });
