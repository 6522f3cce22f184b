/**
 * Everything one emulated Service Bus namespace holds, handed to every concept module: its
 * entities, the deadlines, the lock tokens lost with a session, the open transactions, the instant of the operation in
 * progress and the effects that operation queued for adapters.
 */
import { Deadlines } from './deadlines.js';
import type { Effects } from './effects.js';
import { LostSessionTokens } from './lockTokens.js';
import { Registry } from './registry.js';
import { TransactionTable } from './transactionTable.js';
import type { NamespaceSku } from './types.js';

export class Namespace {
  readonly registry = new Registry();
  readonly deadlines = new Deadlines();
  readonly lostTokens = new LostSessionTokens();
  readonly transactions = new TransactionTable();
  /** The instant of the operation in progress, read once from the clock when it began. */
  now = 0;

  constructor(
    readonly effects: Effects,
    readonly sku: NamespaceSku = 'Standard',
  ) {}
}
