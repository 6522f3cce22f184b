/**
 * rhea's ring of a session's deliveries, as patched by src/amqp/rheaSettlement.ts: now that the
 * emulator forgets a delivery as soon as it has settled it, a client may name one the ring no
 * longer holds, and that must find nothing rather than another delivery.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import '../../src/amqp/rhea.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const require = createRequire(import.meta.url);
const Session = require('rhea/lib/session.js') as new (connection: object, channel: number) => any;

describe("the session's delivery ring", () => {
  it('an id before the head is unknown, even once the ring has wrapped', () => {
    const Ring = new Session({}, 0).outgoing.deliveries.constructor;
    const ring = new Ring(4);
    for (let id = 0; id < 4; id++) ring.push({ id, settled: id < 3 });
    expect(ring.pop_if((d: any) => d.settled)).toBe(3);
    for (let id = 4; id < 7; id++) ring.push({ id, settled: false });
    // Slots 0-2 now hold deliveries 4-6; delivery 1 was forgotten.
    expect(ring.by_id(1)).toBeUndefined();
    expect(ring.by_id(3).id).toBe(3);
    expect(ring.by_id(5).id).toBe(5);
    expect(ring.by_id(7)).toBeUndefined();
  });
});
