/**
 * The configuration used when no --config is given: Microsoft's default Config.json
 * (Azure/azure-service-bus-emulator-installer, ServiceBus-Emulator/Config/Config.json) entity for
 * entity, property for property, plus a session-enabled queue `session-queue`.
 * A constant rather than a file so that the package needs nothing at run time besides dist/.
 */
import type { ConfigFile, QueuePropertiesFile, SubscriptionPropertiesFile } from './types.js';

export const DEFAULT_CONFIG_SOURCE = '<embedded default config>';

const queueProperties: QueuePropertiesFile = {
  DeadLetteringOnMessageExpiration: false,
  DefaultMessageTimeToLive: 'PT1H',
  DuplicateDetectionHistoryTimeWindow: 'PT20S',
  ForwardDeadLetteredMessagesTo: '',
  ForwardTo: '',
  LockDuration: 'PT1M',
  MaxDeliveryCount: 3,
  RequiresDuplicateDetection: false,
  RequiresSession: false,
};

const subscriptionProperties: SubscriptionPropertiesFile = {
  DeadLetteringOnMessageExpiration: false,
  DefaultMessageTimeToLive: 'PT1H',
  LockDuration: 'PT1M',
  MaxDeliveryCount: 3,
  ForwardDeadLetteredMessagesTo: '',
  ForwardTo: '',
  RequiresSession: false,
};

export const DEFAULT_CONFIG: ConfigFile = {
  UserConfig: {
    Namespaces: [
      {
        Name: 'sbemulatorns',
        Queues: [
          { Name: 'queue.1', Properties: { ...queueProperties } },
          { Name: 'session-queue', Properties: { ...queueProperties, RequiresSession: true } },
        ],
        Topics: [
          {
            Name: 'topic.1',
            Properties: {
              DefaultMessageTimeToLive: 'PT1H',
              DuplicateDetectionHistoryTimeWindow: 'PT20S',
              RequiresDuplicateDetection: false,
            },
            Subscriptions: [
              {
                Name: 'subscription.1',
                Properties: { ...subscriptionProperties },
                Rules: [
                  {
                    Name: 'app-prop-filter-1',
                    Properties: {
                      FilterType: 'Correlation',
                      CorrelationFilter: {
                        ContentType: 'application/text',
                        CorrelationId: 'id1',
                        Label: 'subject1',
                        MessageId: 'msgid1',
                        ReplyTo: 'someQueue',
                        ReplyToSessionId: 'sessionId',
                        SessionId: 'session1',
                        To: 'xyz',
                      },
                    },
                  },
                ],
              },
              {
                Name: 'subscription.2',
                Properties: { ...subscriptionProperties },
                Rules: [
                  {
                    Name: 'user-prop-filter-1',
                    Properties: {
                      FilterType: 'Correlation',
                      CorrelationFilter: { Properties: { prop3: 'value3' } },
                    },
                  },
                ],
              },
              { Name: 'subscription.3', Properties: { ...subscriptionProperties } },
            ],
          },
        ],
      },
    ],
    Logging: { Type: 'File' },
  },
};
