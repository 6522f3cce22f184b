/**
 * When the emulator forgets a delivery it sent, patched in rhea 3.0.5 until the planned rewrite
 * replaces rhea's server engine.
 *
 * rhea keeps every outgoing delivery in a per-session ring of 2,048 slots and frees a slot only
 * once both ends have said "settled". The JS SDK receives with rcv-settle-mode second: it sends
 * an unsettled `accepted`, waits for our settled disposition, then settles locally without
 * another frame (AMQP 1.0 §2.6.12: the sender has settled, so there is nothing left to say).
 * Its slots were never freed: after 2,048 deliveries the ring was full and the session sent
 * nothing more, ever (receiveMessages and subscribe() got nothing on a live link).
 * Once we have settled and written that disposition, the delivery is gone on our side.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface Delivery {
  id: number;
  settled: boolean;
}
interface Ring {
  size: number;
  entries: (Delivery | undefined)[];
  head: number;
  pop_if(f: (d: Delivery) => boolean): number;
  by_id(this: Ring, id: number): Delivery | undefined;
}
interface Outgoing {
  connection: { is_server?: boolean };
  deliveries: Ring;
  next_pending_delivery: number;
  process(this: Outgoing): void;
}

export function patchSettlement(): void {
  const Session = require('rhea/lib/session.js') as new (connection: object, channel: number) => { outgoing: Outgoing };
  // Outgoing and the ring are not exported; reach their prototypes through a throw-away session.
  const sample = new Session({}, 0).outgoing;
  const outgoing = Object.getPrototypeOf(sample) as Outgoing;
  const ring = Object.getPrototypeOf(sample.deliveries) as Ring;

  const process = outgoing.process;
  outgoing.process = function () {
    // rhea's process writes the pending dispositions before it returns, so a delivery settled
    // here has had its settled disposition written. Only fully sent deliveries go: one settled
    // before its transfer is written still needs its slot (and rhea frees it after sending).
    process.call(this);
    if (this.connection.is_server !== true) return;
    const sent = this.next_pending_delivery;
    this.deliveries.pop_if((d) => d.settled && d.id < sent);
  };

  // A client may still send a disposition for a delivery we have forgotten. rhea's lookup takes
  // an id before the ring's head as a negative offset and, once the ring has wrapped, returns a
  // different live delivery: an id before the head is simply unknown.
  const byId = ring.by_id;
  ring.by_id = function (id) {
    const head = this.size > 0 ? this.entries[this.head] : undefined;
    if (head !== undefined && id < head.id) return undefined;
    return byId.call(this, id);
  };
}
