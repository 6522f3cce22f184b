/**
 * The namespace SKU (tier): Standard or Premium. It decides what MaxMessageSizeInKilobytes may
 * be. On Standard the size is fixed at 256 KB: a value is refused unless it is the one the entity
 * already has (so a client that reads a description and writes it back unchanged succeeds, as on
 * Azure). On Premium it is chosen per entity, 1,024 to 102,400 KB, default 1,024.
 */
import { errors } from './errors.js';
import type { NamespaceSku } from './types.js';

export const SKUS: readonly NamespaceSku[] = ['Standard', 'Premium'];

const STANDARD_MESSAGE_KB = 256;
const PREMIUM_MESSAGE_KB = { min: 1024, max: 102_400, default: 1024 };

export const defaultMessageSizeKb = (sku: NamespaceSku): number => (sku === 'Premium' ? PREMIUM_MESSAGE_KB.default : STANDARD_MESSAGE_KB);

export function checkSku(v: unknown): NamespaceSku {
  if (v === undefined) return 'Standard';
  const sku = SKUS.find((s) => typeof v === 'string' && s.toLowerCase() === v.toLowerCase());
  if (sku === undefined) throw errors.argument(`Unknown namespace SKU '${String(v)}'; use ${SKUS.join(' or ')}.`);
  return sku;
}

/** `requested` is the patch's value (undefined: not given); `current` the entity's (or the default on create). */
export function checkMessageSize(sku: NamespaceSku, requested: unknown, current: number): void {
  if (requested === undefined) return;
  if (sku === 'Standard') {
    if (requested === current) return;
    throw errors.argument(
      "SubCode=40000. The property 'MaxMessageSizeInKilobytes' can be set only when the namespace is using 'Premium' tier; this namespace is using 'Standard' tier.\r\nParameter name: MaxMessageSizeInKilobytes",
    );
  }
  if (typeof requested === 'number' && requested >= PREMIUM_MESSAGE_KB.min && requested <= PREMIUM_MESSAGE_KB.max) return;
  throw errors.argument(
    `SubCode=40000. The property value for 'MaxMessageSizeInKilobytes' must be between ${PREMIUM_MESSAGE_KB.min} and ${PREMIUM_MESSAGE_KB.max} when the namespace is using 'Premium' tier.\r\nParameter name: MaxMessageSizeInKilobytes`,
  );
}

/** A partitioned entity spreads over 16 partitions of the requested size each; Azure reports the total. */
export const PARTITION_COUNT = 16;
