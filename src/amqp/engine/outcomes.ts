/**
 * Delivery outcomes (AMQP 1.0 section 3.4) as the engine's user sends them, encoded once where
 * they never change.
 */
import { Encoder } from './encoder.js';
import { OUTCOME, TXN, encodedOutcome, writeError, type AmqpError } from './performatives.js';

const scratch = new Encoder(256);

export const ACCEPTED = encodedOutcome(scratch, OUTCOME.accepted);
export const RELEASED = encodedOutcome(scratch, OUTCOME.released);
/** rejected without an error: JS reads an error in a settlement reply as a failed settlement. */
export const REJECTED = encodedOutcome(scratch, OUTCOME.rejected);

export function rejected(error: AmqpError): Buffer {
  return encodedOutcome(scratch, OUTCOME.rejected, () => {
    writeError(scratch, error);
    return 1;
  });
}

const MODIFIED = new Map<number, Buffer>();

export function modified(deliveryFailed: boolean, undeliverableHere: boolean): Buffer {
  const key = (deliveryFailed ? 1 : 0) | (undeliverableHere ? 2 : 0);
  let b = MODIFIED.get(key);
  if (!b) {
    b = encodedOutcome(scratch, OUTCOME.modified, () => {
      scratch.bool(deliveryFailed);
      scratch.bool(undeliverableHere);
      scratch.null();
      return 3;
    });
    MODIFIED.set(key, b);
  }
  return b;
}

/** declared (part 4): the coordinator's answer to a declare, carrying the transaction id. */
export function declared(txnId: Buffer): Buffer {
  return encodedOutcome(scratch, TXN.declared, () => {
    scratch.binary(txnId);
    return 1;
  });
}

/** transactional-state (part 4): an outcome given within a transaction (an encoded outcome). */
export function transactional(txnId: Buffer, outcome: Buffer): Buffer {
  return encodedOutcome(scratch, TXN.transactionalState, () => {
    scratch.binary(txnId);
    scratch.raw(outcome);
    return 2;
  });
}

export { OUTCOME, TXN };
