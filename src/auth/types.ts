/** Shared-access keys the emulator accepts, for CBS put-token (AMQP) and the admin API (HTTP). */
export type AccessRight = 'Manage' | 'Send' | 'Listen';

export interface SasKey {
  name: string;
  key: string;
  rights: AccessRight[];
}

export interface AuthConfig {
  keys: SasKey[];
  /** Accept `jwt` tokens without validation (the emulator cannot check Entra ID tokens). */
  acceptJwt: boolean;
}

export const DEFAULT_KEY_NAME = 'RootManageSharedAccessKey';
export const DEFAULT_KEY = 'SAS_KEY_VALUE';

export const defaultAuthConfig = (): AuthConfig => ({
  keys: [{ name: DEFAULT_KEY_NAME, key: DEFAULT_KEY, rights: ['Manage', 'Send', 'Listen'] }],
  acceptJwt: true,
});
