/**
 * Every message a sub-queue (or a session) holds, ordered by sequence number: what peek,
 * receive-deferred, cancel-scheduled and purge walk. Sends append in order, so the common insert is
 * a push; dead-lettered copies and late fan-out of scheduled topic messages arrive out of order and
 * are spliced into one bounded chunk, never into one huge array.
 *
 * Removal is lazy: the holder marks the record gone and calls noteRemoved(); dead entries are
 * skipped while walking and swept out once they outnumber the live ones.
 */
export interface Sequenced {
  readonly seq: number;
  readonly gone: boolean;
}

const CHUNK = 512;

export class SequenceIndex<T extends Sequenced> {
  private chunks: T[][] = [];
  private live = 0;
  private dead = 0;

  get size(): number {
    return this.live;
  }

  add(item: T): void {
    this.live++;
    const chunks = this.chunks;
    const last = chunks[chunks.length - 1];
    if (last === undefined) {
      chunks.push([item]);
      return;
    }
    if (item.seq > last[last.length - 1]!.seq) {
      if (last.length >= CHUNK) chunks.push([item]);
      else last.push(item);
      return;
    }
    const ci = this.chunkFor(item.seq);
    const chunk = chunks[ci]!;
    chunk.splice(lowerBound(chunk, item.seq), 0, item);
    if (chunk.length > 2 * CHUNK) chunks.splice(ci + 1, 0, chunk.splice(CHUNK));
  }

  noteRemoved(): void {
    this.live--;
    this.dead++;
    if (this.dead > 256 && this.dead > this.live) this.sweep();
  }

  /** The live record with exactly this sequence number. */
  get(seq: number): T | undefined {
    if (this.chunks.length === 0) return undefined;
    const chunk = this.chunks[this.chunkFor(seq)]!;
    for (let i = lowerBound(chunk, seq); i < chunk.length && chunk[i]!.seq === seq; i++) {
      if (!chunk[i]!.gone) return chunk[i];
    }
    return undefined;
  }

  /** Live records with seq >= from, ascending. */
  *from(from: number): IterableIterator<T> {
    const chunks = this.chunks;
    if (chunks.length === 0) return;
    let ci = this.chunkFor(from);
    let i = lowerBound(chunks[ci]!, from);
    for (; ci < chunks.length; ci++, i = 0) {
      const chunk = chunks[ci]!;
      for (; i < chunk.length; i++) {
        const item = chunk[i]!;
        if (!item.gone) yield item;
      }
    }
  }

  clear(): void {
    this.chunks = [];
    this.live = 0;
    this.dead = 0;
  }

  /** Index of the last chunk whose first seq is <= seq (0 when seq precedes them all). */
  private chunkFor(seq: number): number {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (chunks[mid]![0]!.seq <= seq) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private sweep(): void {
    const rebuilt: T[][] = [];
    let current: T[] = [];
    for (const chunk of this.chunks) {
      for (const item of chunk) {
        if (item.gone) continue;
        current.push(item);
        if (current.length === CHUNK) {
          rebuilt.push(current);
          current = [];
        }
      }
    }
    if (current.length > 0) rebuilt.push(current);
    this.chunks = rebuilt;
    this.dead = 0;
  }
}

function lowerBound<T extends Sequenced>(chunk: T[], seq: number): number {
  let lo = 0;
  let hi = chunk.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (chunk[mid]!.seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
