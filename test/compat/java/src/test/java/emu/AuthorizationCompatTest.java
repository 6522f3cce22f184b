package emu;

import static org.junit.jupiter.api.Assertions.*;

import com.azure.core.amqp.AmqpRetryOptions;
import com.azure.core.amqp.exception.AmqpException;
import com.azure.messaging.servicebus.*;
import com.azure.messaging.servicebus.administration.ServiceBusAdministrationClient;
import com.azure.messaging.servicebus.administration.ServiceBusAdministrationClientBuilder;
import com.azure.messaging.servicebus.administration.models.AccessRights;
import com.azure.messaging.servicebus.administration.models.AuthorizationRule;
import com.azure.messaging.servicebus.administration.models.CreateQueueOptions;
import com.azure.messaging.servicebus.administration.models.SharedAccessAuthorizationRule;
import com.azure.messaging.servicebus.models.ServiceBusReceiveMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.*;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.*;

/**
 * Authorization as Azure does it, through the official Java SDK: Send-only and Listen-only namespace
 * policies (test/compat/auth-config.json), an entity-level policy created with the administration client,
 * and SharedAccessSignature connection strings (valid, then expired).
 */
class AuthorizationCompatTest extends SharedEmulatorSuite {
    private ServiceBusClientBuilder as(String keyName, String key) {
        return builder("Endpoint=sb://localhost:" + emu.amqpPort + ";SharedAccessKeyName=" + keyName + ";SharedAccessKey=" + key
                + ";UseDevelopmentEmulator=true;");
    }

    private String queue(CreateQueueOptions options) {
        String name = "q-" + UUID.randomUUID().toString().substring(0, 8);
        admin.createQueue(name, options);
        return name;
    }

    private static void assertUnauthorized(Executable action) {
        Throwable e = assertThrows(Throwable.class, action::run);
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t).append(" | ");
            if (t instanceof AmqpException ae && ae.getErrorCondition() != null) all.append(ae.getErrorCondition()).append(" | ");
        }
        assertTrue(all.toString().contains("UNAUTHORIZED") || all.toString().contains("unauthorized"), all.toString());
    }

    interface Executable {
        void run() throws Exception;
    }

    private String receiveOne(ServiceBusClientBuilder b, String q) {
        ServiceBusReceiverClient r = closing(b.receiver().queueName(q).receiveMode(ServiceBusReceiveMode.RECEIVE_AND_DELETE).buildClient());
        for (ServiceBusReceivedMessage m : r.receiveMessages(1, Duration.ofSeconds(10))) return m.getBody().toString();
        return null;
    }

    @Test
    void sendOnlyAndListenOnlyPolicies() {
        String q = queue(new CreateQueueOptions());
        ServiceBusClientBuilder sender = as("send-only", "send-only-key");
        closing(sender.sender().queueName(q).buildClient()).sendMessage(new ServiceBusMessage("sent with Send only"));
        assertUnauthorized(() -> closing(sender.receiver().queueName(q).buildClient()).receiveMessages(1, Duration.ofSeconds(3)).forEach(m -> { }));
        ServiceBusClientBuilder listener = as("listen-only", "listen-only-key");
        assertUnauthorized(() -> closing(listener.sender().queueName(q).buildClient()).sendMessage(new ServiceBusMessage("no")));
        assertEquals("sent with Send only", receiveOne(listener, q));
    }

    @Test
    void entityPolicyFromAdminClient() {
        // Java generates the rule's keys itself; the service stores and returns them.
        SharedAccessAuthorizationRule rule = new SharedAccessAuthorizationRule("app", List.of(AccessRights.SEND, AccessRights.LISTEN));
        CreateQueueOptions options = new CreateQueueOptions();
        options.getAuthorizationRules().add(rule);
        String q = queue(options);
        String other = queue(new CreateQueueOptions());
        List<AuthorizationRule> stored = admin.getQueue(q).getAuthorizationRules();
        assertEquals(1, stored.size());
        assertEquals("app", stored.get(0).getKeyName());
        assertEquals(rule.getPrimaryKey(), stored.get(0).getPrimaryKey());
        assertEquals(Set.of(AccessRights.SEND, AccessRights.LISTEN), new HashSet<>(stored.get(0).getAccessRights()));
        assertNotNull(stored.get(0).getCreatedAt());

        ServiceBusClientBuilder app = as("app", rule.getSecondaryKey());
        closing(app.sender().queueName(q).buildClient()).sendMessage(new ServiceBusMessage("entity key"));
        assertEquals("entity key", receiveOne(app, q));
        assertUnauthorized(() -> closing(app.sender().queueName(other).buildClient()).sendMessage(new ServiceBusMessage("elsewhere")));
    }

    @Test
    void sasConnectionStringValidThenExpired() throws Exception {
        String q = queue(new CreateQueueOptions());
        String resource = "sb://localhost:" + emu.amqpPort + "/";
        long now = Instant.now().getEpochSecond();
        String valid = SasCredential.sign(resource, Emulator.KEY_NAME, Emulator.KEY, now + 3600);
        closing(builder("Endpoint=sb://localhost:" + emu.amqpPort + ";SharedAccessSignature=" + valid + ";UseDevelopmentEmulator=true;")
                .sender().queueName(q).buildClient()).sendMessage(new ServiceBusMessage("signed by the caller"));
        String expired = SasCredential.sign(resource, Emulator.KEY_NAME, Emulator.KEY, now - 60);
        assertUnauthorized(() -> closing(builder("Endpoint=sb://localhost:" + emu.amqpPort + ";SharedAccessSignature=" + expired
                + ";UseDevelopmentEmulator=true;").sender().queueName(q).buildClient()).sendMessage(new ServiceBusMessage("expired")));
        assertEquals(1, admin.getQueueRuntimeProperties(q).getActiveMessageCount());
    }
}
