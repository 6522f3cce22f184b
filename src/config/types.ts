/**
 * Two shapes of configuration:
 * - `ConfigFile`: Microsoft's emulator `Config.json`, as users write it (PascalCase, durations as
 *   ISO 8601 strings), plus the optional `Emulator` section of our extensions.
 * - `EmulatorConfig`: the validated, normalized form (broker property names, milliseconds) that
 *   applyConfig() creates entities from. Each entity keeps its JSON path for error messages.
 */
import type { AuthorizationRuleInput } from '../auth/entityRules.js';
import type { SasKey } from '../auth/types.js';
import type {
  EntityStatus,
  NamespaceSku,
  QueueProperties,
  RuleAction,
  RuleFilter,
  SubscriptionProperties,
  TopicProperties,
} from '../broker/types.js';

// ---- Microsoft's Config.json --------------------------------------------------------------------

export type EntityStatusText = EntityStatus;

/** Queue properties of Microsoft's schema, then our extensions (Azure's own names). */
export interface QueuePropertiesFile {
  DeadLetteringOnMessageExpiration?: boolean;
  DefaultMessageTimeToLive?: string;
  DuplicateDetectionHistoryTimeWindow?: string;
  ForwardDeadLetteredMessagesTo?: string;
  ForwardTo?: string;
  LockDuration?: string;
  MaxDeliveryCount?: number;
  RequiresDuplicateDetection?: boolean;
  RequiresSession?: boolean;
  // extensions
  AutoDeleteOnIdle?: string;
  EnableBatchedOperations?: boolean;
  EnableExpress?: boolean;
  EnablePartitioning?: boolean;
  MaxMessageSizeInKilobytes?: number;
  MaxSizeInMegabytes?: number;
  Status?: EntityStatusText;
  UserMetadata?: string;
}

export interface TopicPropertiesFile {
  DefaultMessageTimeToLive?: string;
  DuplicateDetectionHistoryTimeWindow?: string;
  RequiresDuplicateDetection?: boolean;
  // extensions
  AutoDeleteOnIdle?: string;
  EnableBatchedOperations?: boolean;
  EnableExpress?: boolean;
  EnablePartitioning?: boolean;
  MaxMessageSizeInKilobytes?: number;
  MaxSizeInMegabytes?: number;
  Status?: EntityStatusText;
  SupportOrdering?: boolean;
  UserMetadata?: string;
}

export interface SubscriptionPropertiesFile {
  DeadLetteringOnMessageExpiration?: boolean;
  DefaultMessageTimeToLive?: string;
  ForwardDeadLetteredMessagesTo?: string;
  ForwardTo?: string;
  LockDuration?: string;
  MaxDeliveryCount?: number;
  RequiresSession?: boolean;
  // extensions
  AutoDeleteOnIdle?: string;
  DeadLetteringOnFilterEvaluationExceptions?: boolean;
  EnableBatchedOperations?: boolean;
  Status?: EntityStatusText;
  UserMetadata?: string;
}

export interface CorrelationFilterFile {
  ContentType?: string;
  CorrelationId?: string;
  /** Microsoft's name for the subject. */
  Label?: string;
  /** Extension: the SDKs' name for Label. */
  Subject?: string;
  MessageId?: string;
  ReplyTo?: string;
  ReplyToSessionId?: string;
  SessionId?: string;
  To?: string;
  Properties?: Record<string, string | number | boolean>;
}

export interface RuleFile {
  Name: string;
  Properties: {
    FilterType: 'Correlation' | 'Sql';
    CorrelationFilter?: CorrelationFilterFile;
    SqlFilter?: { SqlExpression: string };
    Action?: { SqlExpression?: string };
  };
}

/** Extension: an entity-level SAS policy (as the admin API's AuthorizationRule). */
export interface AuthorizationRuleFile {
  KeyName: string;
  /** Generated when absent or empty, as Azure does. */
  PrimaryKey?: string;
  SecondaryKey?: string;
  /** Default: all three. */
  Rights?: Array<'Manage' | 'Send' | 'Listen'>;
}

export interface QueueFile {
  Name: string;
  Properties?: QueuePropertiesFile;
  /** Extension: tokens signed with these keys reach this queue only. */
  AuthorizationRules?: AuthorizationRuleFile[];
}

export interface SubscriptionFile {
  Name: string;
  Properties?: SubscriptionPropertiesFile;
  Rules?: RuleFile[];
}

export interface TopicFile {
  Name: string;
  Properties?: TopicPropertiesFile;
  /** Extension: tokens signed with these keys reach this topic and its subscriptions only. */
  AuthorizationRules?: AuthorizationRuleFile[];
  Subscriptions?: SubscriptionFile[];
}

export interface NamespaceFile {
  Name: string;
  /** Extension: the namespace tier, 'Standard' (default) or 'Premium'. */
  Sku?: NamespaceSku;
  Queues?: QueueFile[];
  Topics?: TopicFile[];
}

/** Extension: keys besides --key-name/--key, e.g. a Send-only key to test authorization. */
export interface SharedAccessKeyFile {
  KeyName: string;
  Key: string;
  /** Default: all three. */
  Rights?: Array<'Manage' | 'Send' | 'Listen'>;
}

export interface ConfigFile {
  $schema?: string;
  UserConfig: {
    Namespaces: NamespaceFile[];
    /** Accepted for compatibility; the emulator logs to stderr whatever it says. */
    Logging?: { Type: string };
  };
  /** Our extensions; Microsoft's emulator does not know this section. */
  Emulator?: {
    SharedAccessKeys?: SharedAccessKeyFile[];
  };
}

// ---- validated form -----------------------------------------------------------------------------

export interface RuleConfig {
  name: string;
  /** JSON path of the rule, for error messages. */
  path: string;
  filter: RuleFilter;
  action?: RuleAction;
}

export interface QueueConfig {
  name: string;
  path: string;
  properties: Partial<QueueProperties>;
  authorizationRules: AuthorizationRuleInput[];
}

export interface SubscriptionConfig {
  name: string;
  path: string;
  properties: Partial<SubscriptionProperties>;
  rules: RuleConfig[];
}

export interface TopicConfig {
  name: string;
  path: string;
  properties: Partial<TopicProperties>;
  subscriptions: SubscriptionConfig[];
  authorizationRules: AuthorizationRuleInput[];
}

export interface NamespaceConfig {
  name: string;
  sku: NamespaceSku;
  queues: QueueConfig[];
  topics: TopicConfig[];
}

export interface EmulatorConfig {
  /** File path, `<inline config>` or `<embedded default config>`. */
  source: string;
  namespaces: NamespaceConfig[];
  /** The tier of the (one) emulated namespace. */
  sku: NamespaceSku;
  logging?: { type: string };
  /** Extra SAS keys from the `Emulator` section. */
  sharedAccessKeys: SasKey[];
}
