/**
 * Sequence-number arithmetic for delivery ids, transfer ids and delivery counts, which are
 * 32-bit serial numbers that wrap (AMQP 1.0 section 2.8.14, RFC 1982).
 */

/** a + n, wrapped to 32 bits. */
export const add = (a: number, n: number): number => (a + n) >>> 0;

/** a - b as a signed 32-bit distance: positive when a is ahead of b. */
export const distance = (a: number, b: number): number => (a - b) | 0;

/**
 * Whether id lies in the range that starts at first and runs forward to last, wrapping (a
 * disposition's range: it may span up to all 2^32 ids, where signed comparison is undefined).
 */
export const inRange = (id: number, first: number, last: number): boolean => ((id - first) >>> 0) <= ((last - first) >>> 0);

/** How many ids the range [first, last] names, 1 to 2^32. */
export const rangeSize = (first: number, last: number): number => ((last - first) >>> 0) + 1;
