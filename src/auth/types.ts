/** Shared-access keys the emulator accepts, for CBS put-token (AMQP) and the admin API (HTTP). */
export type AccessRight = 'Manage' | 'Send' | 'Listen';

export interface SasKey {
  name: string;
  key: string;
  rights: AccessRight[];
}

/** The SAS policies of one queue or topic, as token validation needs them. */
export interface EntityPolicies {
  /** The queue or topic's path, as created. */
  entity: string;
  policies: ReadonlyArray<{ name: string; keys: readonly string[]; rights: readonly AccessRight[] }>;
}

/**
 * Where the entity-level policies live (the broker's queue and topic records). The auth code
 * asks rather than copies, so a rule added through the admin API works at once.
 */
export interface EntityPolicyLookup {
  /** The queue or topic that `path` (an entity, a sub-queue, a subscription, a $management node) is in. */
  of(path: string): EntityPolicies | undefined;
  /** Every queue and topic that has policies: SASL PLAIN names a policy but no entity. */
  all(): Iterable<EntityPolicies>;
}

export interface AuthConfig {
  /** Namespace-level policies. */
  keys: SasKey[];
  /** Entity-level policies; none when absent. */
  entityPolicies?: EntityPolicyLookup;
  /** Accept `jwt` tokens without validation (the emulator cannot check Entra ID tokens). */
  acceptJwt: boolean;
}

export const DEFAULT_KEY_NAME = 'RootManageSharedAccessKey';
export const DEFAULT_KEY = 'SAS_KEY_VALUE';

export const defaultAuthConfig = (): AuthConfig => ({
  keys: [{ name: DEFAULT_KEY_NAME, key: DEFAULT_KEY, rights: ['Manage', 'Send', 'Listen'] }],
  acceptJwt: true,
});
