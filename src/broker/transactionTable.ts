/**
 * The transactions of a namespace as data: each one's buffered operations and the one queue or
 * topic it may work on. What they mean (declare, commit, roll back, time out) is transaction.ts;
 * this file stays free of the namespace so the namespace can hold the table.
 */
import type { Deadline } from './deadlines.js';

/** One buffered operation: `check` throws if it could no longer be applied; `apply` does it. */
export interface TransactionOp {
  check(): void;
  apply(): void;
}

export class Transaction {
  readonly ops: TransactionOp[] = [];
  /** Lock tokens settled in this transaction: a second settlement would fail half-way through a commit. */
  readonly lockTokens = new Set<string>();
  /** The top-level entity (queue or topic) fixed by the first operation, and its name for errors. */
  scope?: object;
  scopeName?: string;
  deadline?: Deadline<Transaction>;
  /** Rolled back by its timeout; kept until discharged so the discharge can say why. */
  timedOut = false;
  /** An operation that broke the transaction's rules: the commit rolls back with this reason. */
  failure?: string;

  constructor(
    readonly id: string,
    readonly declaredAt: number,
  ) {}
}

export class TransactionTable {
  private readonly byId = new Map<string, Transaction>();
  private counter = 0;

  create(now: number): Transaction {
    const t = new Transaction(`txn:${(++this.counter).toString(16).padStart(8, '0')}:${now.toString(16)}`, now);
    this.byId.set(t.id, t);
    return t;
  }

  get(id: string): Transaction | undefined {
    return this.byId.get(id);
  }

  delete(id: string): void {
    this.byId.delete(id);
  }

  get size(): number {
    return this.byId.size;
  }
}
