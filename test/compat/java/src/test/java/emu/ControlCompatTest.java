package emu;

import static org.junit.jupiter.api.Assertions.*;

import com.azure.core.amqp.AmqpRetryMode;
import com.azure.core.amqp.AmqpRetryOptions;
import com.azure.core.amqp.exception.AmqpErrorCondition;
import com.azure.core.amqp.exception.AmqpException;
import com.azure.messaging.servicebus.*;
import com.azure.messaging.servicebus.administration.ServiceBusAdministrationClient;
import com.azure.messaging.servicebus.administration.ServiceBusAdministrationClientBuilder;
import com.azure.messaging.servicebus.administration.models.CreateQueueOptions;
import com.azure.messaging.servicebus.models.SubQueue;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.*;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The test control plane (/emulator over java.net.http, as the README's Java snippet calls it) driven
 * next to the official azure-messaging-servicebus client, on an emulator of its own with --clock offset.
 */
class ControlCompatTest extends SharedEmulatorSuite {
    // The default client, as the README's snippet uses it: it asks every plain-http request,
    // POSTs with bodies included, to upgrade to h2c, which the admin port answers as HTTP/1.1.
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String AUTH = "Basic " + Base64.getEncoder()
            .encodeToString((Emulator.KEY_NAME + ":" + Emulator.KEY).getBytes(StandardCharsets.UTF_8));

    @Override
    protected Emulator startEmulator(Path work) throws Exception {
        return Emulator.start(work, Emulator.freePort(), -1, List.of("--clock", "offset"));
    }

    private HttpResponse<String> control(String method, String path, String body) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + emu.httpPort + "/emulator/" + path))
                .header("Authorization", AUTH).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
    }

    private String faults() throws Exception {
        return control("GET", "faults", null).body().replaceAll("\\s", "");
    }

    /** The SDK's own retry policy, with delays short enough for a test. */
    private ServiceBusClientBuilder fastRetries(String connectionString) {
        return new ServiceBusClientBuilder().connectionString(connectionString)
                .retryOptions(new AmqpRetryOptions().setMaxRetries(3).setMode(AmqpRetryMode.FIXED)
                        .setDelay(Duration.ofMillis(50)).setMaxDelay(Duration.ofMillis(200)).setTryTimeout(Duration.ofSeconds(20)));
    }

    private String queue(CreateQueueOptions options) {
        String q = "ctl-" + UUID.randomUUID().toString().substring(0, 8);
        admin.createQueue(q, options == null ? new CreateQueueOptions() : options);
        return q;
    }

    private static String fault(String q, String operation) {
        return "{\"entity\":\"" + q + "\",\"operation\":\"" + operation + "\",\"error\":\"server-busy\",\"count\":%d}";
    }

    private List<String> activeBodies(String q) throws Exception {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\"body\":\"([^\"]*)\"").matcher(control("GET", "entities/" + q + "/messages", null).body());
        while (m.find()) out.add(m.group(1));
        return out;
    }

    @Test
    void serverBusyOnSendIsRetriedAndRaisedWithoutRetries() throws Exception {
        String q = queue(null);
        assertEquals(201, control("POST", "faults", String.format(fault(q, "send"), 2)).statusCode());
        ServiceBusSenderClient s = closing(fastRetries(emu.connectionString()).sender().queueName(q).buildClient());
        s.sendMessage(new ServiceBusMessage("through"));
        assertEquals(List.of("through"), activeBodies(q));
        assertEquals("{\"faults\":[]}", faults());

        control("POST", "faults", String.format(fault(q, "send"), 1));
        ServiceBusSenderClient s0 = closing(builder().sender().queueName(q).buildClient());
        ServiceBusException e = assertThrows(ServiceBusException.class, () -> s0.sendMessage(new ServiceBusMessage("refused")));
        // azure-messaging-servicebus maps com.microsoft:server-busy to AmqpErrorCondition.SERVER_BUSY_ERROR
        // (transient), but with retries off its send reports the exhausted retry instead: reason
        // GENERAL_ERROR, "Retries exhausted: 0/0", the server-busy AmqpException two causes down.
        assertEquals(ServiceBusFailureReason.GENERAL_ERROR, e.getReason());
        AmqpException busy = assertInstanceOf(AmqpException.class, e.getCause().getCause());
        assertEquals(AmqpErrorCondition.SERVER_BUSY_ERROR, busy.getErrorCondition());
        assertTrue(busy.isTransient());
        assertEquals(List.of("through"), activeBodies(q));
        assertEquals("{\"faults\":[]}", faults());
    }

    @Test
    void receiveFaultOnAnOpenReceiver() throws Exception {
        String q = queue(null);
        ServiceBusClientBuilder b = fastRetries(emu.connectionString());
        ServiceBusSenderClient s = closing(b.sender().queueName(q).buildClient());
        s.sendMessages(List.of(new ServiceBusMessage("first"), new ServiceBusMessage("second")));
        ServiceBusReceiverClient r = closing(b.receiver().queueName(q).buildClient());
        List<ServiceBusReceivedMessage> first = receive(r, 1, Duration.ofSeconds(10));
        assertEquals(List.of("first"), bodies(first));
        r.complete(first.get(0));
        control("POST", "faults", String.format(fault(q, "receive"), 1));
        List<ServiceBusReceivedMessage> second = receive(r, 1, Duration.ofSeconds(10));
        assertEquals(List.of("second"), bodies(second));
        r.complete(second.get(0));
        assertEquals("{\"faults\":[]}", faults());
        assertEquals(List.of(), activeBodies(q));
    }

    @Test
    void clockAdvanceDeadLettersAnExpiredMessage() throws Exception {
        String q = queue(new CreateQueueOptions().setDeadLetteringOnMessageExpiration(true));
        ServiceBusClientBuilder b = fastRetries(emu.connectionString());
        closing(b.sender().queueName(q).buildClient()).sendMessage(new ServiceBusMessage("stale").setTimeToLive(Duration.ofHours(1)));
        assertEquals(200, control("POST", "clock/advance", "{\"duration\":\"PT1H\"}").statusCode());
        ServiceBusReceiverClient dlq = closing(b.receiver().queueName(q).subQueue(SubQueue.DEAD_LETTER_QUEUE).buildClient());
        List<ServiceBusReceivedMessage> dead = receive(dlq, 1, Duration.ofSeconds(10));
        assertEquals(List.of("stale"), bodies(dead));
        assertEquals("TTLExpiredException", dead.get(0).getDeadLetterReason());
        dlq.complete(dead.get(0));
        assertEquals(List.of(), activeBodies(q));
    }

    @Test
    void aNamespaceOfItsOwn() throws Exception {
        String name = "java-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> created = control("POST", "namespaces", "{\"name\":\"" + name + "\"}");
        assertEquals(201, created.statusCode(), created.body());
        try {
            String json = created.body();
            assertTrue(json.contains("\"keyName\":\"ns-" + name + "\""), json);
            String cs = field(json, "connectionString");
            String key = field(json, "key");
            assertTrue(cs.contains("SharedAccessKeyName=ns-" + name + ";"), cs);
            // Java's admin builder keeps only the endpoint's host, so the port goes in through credential().
            ServiceBusAdministrationClient nsAdmin = new ServiceBusAdministrationClientBuilder()
                    .credential("localhost:" + emu.httpPort,
                            new SasCredential("https://localhost:" + emu.httpPort + "/", "ns-" + name, key))
                    .buildClient();
            nsAdmin.createQueue("orders");
            ServiceBusClientBuilder b = fastRetries(cs);
            closing(b.sender().queueName("orders").buildClient()).sendMessage(new ServiceBusMessage("mine"));
            ServiceBusReceiverClient r = closing(b.receiver().queueName("orders").buildClient());
            List<ServiceBusReceivedMessage> got = receive(r, 1, Duration.ofSeconds(10));
            assertEquals(List.of("mine"), bodies(got));
            r.complete(got.get(0));
            // The default namespace does not see it.
            assertFalse(admin.getQueueExists("orders"));
            assertEquals(404, control("GET", "entities/orders/messages", null).statusCode());
        } finally {
            assertEquals(204, control("DELETE", "namespaces/" + name, null).statusCode());
        }
        assertFalse(control("GET", "namespaces", null).body().contains("\"" + name + "\""));
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]*)\"").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        return m.group(1);
    }
}
