package emu;

import static org.junit.jupiter.api.Assertions.*;

import com.azure.core.amqp.AmqpRetryOptions;
import com.azure.core.amqp.exception.AmqpErrorCondition;
import com.azure.core.amqp.exception.AmqpException;
import com.azure.core.exception.ResourceExistsException;
import com.azure.core.exception.ResourceNotFoundException;
import com.azure.messaging.servicebus.*;
import com.azure.messaging.servicebus.administration.ServiceBusAdministrationClient;
import com.azure.messaging.servicebus.administration.ServiceBusAdministrationClientBuilder;
import com.azure.messaging.servicebus.administration.models.CorrelationRuleFilter;
import com.azure.messaging.servicebus.administration.models.CreateQueueOptions;
import com.azure.messaging.servicebus.administration.models.CreateRuleOptions;
import com.azure.messaging.servicebus.administration.models.QueueProperties;
import com.azure.messaging.servicebus.administration.models.QueueRuntimeProperties;
import com.azure.messaging.servicebus.models.DeadLetterOptions;
import com.azure.messaging.servicebus.models.ServiceBusReceiveMode;
import com.azure.messaging.servicebus.models.SubQueue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.*;
import java.util.concurrent.*;
import java.util.stream.Collectors;
import org.junit.jupiter.api.*;

/** The official Java SDK (azure-messaging-servicebus) against the emulator CLI. */
class ServiceBusCompatTest extends SharedEmulatorSuite {
    // Java's admin builder drops the port of a connection string's endpoint (https://host:443): when this
    // process may listen on 443 (root), the emulator's admin port is 443 so that the plain connection string works.
    @Override
    protected Emulator startEmulator(Path work) throws Exception {
        int httpPort = Emulator.canBind(443) && !"1".equals(System.getenv("SBEMU_NO_443")) ? 443 : Emulator.freePort();
        return Emulator.start(work, httpPort);
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private String queue(CreateQueueOptions options) {
        String name = unique("q");
        admin.createQueue(name, options);
        return name;
    }

    private ServiceBusSenderClient sender(String queue) {
        return closing(builder().sender().queueName(queue).buildClient());
    }

    private ServiceBusReceiverClient receiver(String queue) {
        return closing(builder().receiver().queueName(queue).buildClient());
    }

    private QueueRuntimeProperties runtime(String queue) {
        return admin.getQueueRuntimeProperties(queue);
    }

    // --- admin ---------------------------------------------------------------------------------------------
    @Test
    void adminCreatesASessionQueue() {
        String name = unique("sessions");
        QueueProperties created = admin.createQueue(name, new CreateQueueOptions().setSessionRequired(true)
                .setLockDuration(Duration.ofMinutes(5)).setMaxDeliveryCount(10)
                .setDefaultMessageTimeToLive(Duration.ofDays(14)).setDeadLetteringOnMessageExpiration(true));
        assertEquals(name, created.getName());
        assertTrue(created.isSessionRequired());
        QueueProperties got = admin.getQueue(name);
        assertTrue(got.isSessionRequired());
        assertEquals(Duration.ofMinutes(5), got.getLockDuration());
        assertEquals(10, got.getMaxDeliveryCount());
        assertEquals(Duration.ofDays(14), got.getDefaultMessageTimeToLive());
        assertTrue(got.isDeadLetteringOnMessageExpiration());
        assertThrows(ResourceExistsException.class, () -> admin.createQueue(name, new CreateQueueOptions()));
        assertTrue(admin.listQueues().stream().anyMatch(q -> q.getName().equals(name)));
        assertEquals(0, runtime(name).getActiveMessageCount());
        admin.deleteQueue(name);
        assertThrows(ResourceNotFoundException.class, () -> admin.getQueue(name));
    }

    @Test
    void adminFromPlainConnectionString() {
        Assumptions.assumeTrue(emu.httpPort == 443,
                "Java's admin builder ignores the endpoint's port: only testable with the emulator's admin API on 443 (root)");
        ServiceBusAdministrationClient fromCs = new ServiceBusAdministrationClientBuilder()
                .connectionString(emu.adminConnectionString()).buildClient();
        String name = unique("cs");
        fromCs.createQueue(name, new CreateQueueOptions().setSessionRequired(true));
        assertTrue(fromCs.getQueue(name).isSessionRequired());
        fromCs.deleteQueue(name);
    }

    // --- sender and receivers ------------------------------------------------------------------------------------
    @Test
    void sendReceiveCompleteWithProperties() {
        String q = queue(new CreateQueueOptions());
        ServiceBusMessage m = new ServiceBusMessage("hello").setMessageId("m-1").setCorrelationId("c-1")
                .setSubject("greeting").setContentType("text/plain");
        m.getApplicationProperties().put("n", 42);
        m.getApplicationProperties().put("s", "str");
        sender(q).sendMessage(m);
        ServiceBusReceiverClient r = receiver(q);
        List<ServiceBusReceivedMessage> got = receive(r, 1, Duration.ofSeconds(10));
        assertEquals(1, got.size());
        ServiceBusReceivedMessage rm = got.get(0);
        assertEquals("hello", rm.getBody().toString());
        assertEquals("m-1", rm.getMessageId());
        assertEquals("c-1", rm.getCorrelationId());
        assertEquals("greeting", rm.getSubject());
        assertEquals("text/plain", rm.getContentType());
        assertEquals(42, rm.getApplicationProperties().get("n"));
        assertEquals("str", rm.getApplicationProperties().get("s"));
        assertEquals(1L, rm.getSequenceNumber());
        assertEquals(0, rm.getDeliveryCount());
        assertNotNull(rm.getLockToken());
        assertTrue(rm.getLockedUntil().isAfter(OffsetDateTime.now().plusSeconds(30)));
        r.complete(rm);
        assertEquals(0, runtime(q).getActiveMessageCount());
    }

    @Test
    void batchSendPeekAndReceiveAndDelete() {
        String q = queue(new CreateQueueOptions());
        ServiceBusSenderClient s = sender(q);
        ServiceBusMessageBatch batch = s.createMessageBatch();
        assertEquals(256 * 1024, batch.getMaxSizeInBytes());
        for (int i = 0; i < 20; i++) assertTrue(batch.tryAddMessage(new ServiceBusMessage("b" + i)));
        s.sendMessages(batch);
        assertEquals(20, runtime(q).getActiveMessageCount());
        ServiceBusReceiverClient peeker = receiver(q);
        List<String> peeked = peeker.peekMessages(3).stream().map(m -> m.getBody().toString()).collect(Collectors.toList());
        assertEquals(List.of("b0", "b1", "b2"), peeked);
        ServiceBusReceiverClient r = closing(builder().receiver().queueName(q).receiveMode(ServiceBusReceiveMode.RECEIVE_AND_DELETE).buildClient());
        List<ServiceBusReceivedMessage> got = receive(r, 20, Duration.ofSeconds(15));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) expected.add("b" + i);
        assertEquals(expected, bodies(got));
        assertEquals(0, runtime(q).getActiveMessageCount());
    }

    @Test
    void deadLetterExplicitAndAfterMaxDeliveryCount() {
        String q = queue(new CreateQueueOptions().setMaxDeliveryCount(2));
        sender(q).sendMessages(List.of(new ServiceBusMessage("bad"), new ServiceBusMessage("poison")));
        ServiceBusReceiverClient r = receiver(q);
        ServiceBusReceivedMessage bad = receive(r, 1, Duration.ofSeconds(10)).get(0);
        assertEquals("bad", bad.getBody().toString());
        r.deadLetter(bad, new DeadLetterOptions().setDeadLetterReason("InvalidOrder").setDeadLetterErrorDescription("amount missing"));
        for (int i = 0; i < 2; i++) {
            ServiceBusReceivedMessage m = receive(r, 1, Duration.ofSeconds(10)).get(0);
            assertEquals("poison", m.getBody().toString());
            assertEquals(i, m.getDeliveryCount());
            r.abandon(m);
        }
        assertEquals(0, runtime(q).getActiveMessageCount());
        assertEquals(2, runtime(q).getDeadLetterMessageCount());
        ServiceBusReceiverClient dlq = closing(builder().receiver().queueName(q).subQueue(SubQueue.DEAD_LETTER_QUEUE).buildClient());
        List<ServiceBusReceivedMessage> dead = receive(dlq, 2, Duration.ofSeconds(10));
        assertEquals(List.of("bad", "poison"), bodies(dead));
        assertEquals("InvalidOrder", dead.get(0).getDeadLetterReason());
        assertEquals("amount missing", dead.get(0).getDeadLetterErrorDescription());
        assertEquals("MaxDeliveryCountExceeded", dead.get(1).getDeadLetterReason());
        dead.forEach(dlq::complete);
        assertEquals(0, runtime(q).getDeadLetterMessageCount());
    }

    @Test
    void deferAndReceiveDeferred() {
        String q = queue(new CreateQueueOptions());
        sender(q).sendMessages(List.of(new ServiceBusMessage("later"), new ServiceBusMessage("now")));
        ServiceBusReceiverClient r = receiver(q);
        ServiceBusReceivedMessage first = receive(r, 1, Duration.ofSeconds(10)).get(0);
        r.defer(first);
        ServiceBusReceivedMessage second = receive(r, 1, Duration.ofSeconds(10)).get(0);
        assertEquals("now", second.getBody().toString());
        r.complete(second);
        ServiceBusReceivedMessage deferred = r.receiveDeferredMessage(first.getSequenceNumber());
        assertEquals("later", deferred.getBody().toString());
        r.complete(deferred);
        assertEquals(0, runtime(q).getActiveMessageCount());
    }

    @Test
    void scheduleAndCancel() {
        String q = queue(new CreateQueueOptions());
        ServiceBusSenderClient s = sender(q);
        long never = s.scheduleMessage(new ServiceBusMessage("never"), OffsetDateTime.now().plusMinutes(1));
        long soon = s.scheduleMessage(new ServiceBusMessage("soon"), OffsetDateTime.now().plusSeconds(2));
        assertEquals(1, soon - never);
        assertEquals(2, runtime(q).getScheduledMessageCount());
        s.cancelScheduledMessage(never);
        assertEquals(1, runtime(q).getScheduledMessageCount());
        ServiceBusReceiverClient r = receiver(q);
        List<ServiceBusReceivedMessage> got = receive(r, 1, Duration.ofSeconds(15));
        assertEquals(List.of("soon"), bodies(got));
        assertNotNull(got.get(0).getScheduledEnqueueTime());
        r.complete(got.get(0));
        assertEquals(0, runtime(q).getScheduledMessageCount());
        assertEquals(0, runtime(q).getActiveMessageCount());
    }

    // --- sessions --------------------------------------------------------------------------------------------------
    private String sessionQueue() {
        return queue(new CreateQueueOptions().setSessionRequired(true).setLockDuration(Duration.ofSeconds(30)));
    }

    private void sendSessions(String q, Map<String, List<String>> sessions) {
        ServiceBusSenderClient s = sender(q);
        for (Map.Entry<String, List<String>> e : sessions.entrySet()) {
            for (String body : e.getValue()) s.sendMessage(new ServiceBusMessage(body).setSessionId(e.getKey()));
        }
    }

    @Test
    void namedSessionReceiverWithState() {
        String q = sessionQueue();
        sendSessions(q, new LinkedHashMap<>(Map.of("customer-1", List.of("o1", "o2", "o3"))));
        ServiceBusSessionReceiverClient sessions = closing(builder().sessionReceiver().queueName(q).buildClient());
        ServiceBusReceiverClient r = closing(sessions.acceptSession("customer-1"));
        assertEquals("customer-1", r.getSessionId());
        byte[] state = r.getSessionState();
        assertTrue(state == null || state.length == 0);
        List<ServiceBusReceivedMessage> got = receive(r, 3, Duration.ofSeconds(10));
        assertEquals(List.of("o1", "o2", "o3"), bodies(got));
        got.forEach(m -> assertEquals("customer-1", m.getSessionId()));
        got.forEach(r::complete);
        r.setSessionState("{\"count\":3}".getBytes(StandardCharsets.UTF_8));
        assertEquals("{\"count\":3}", new String(r.getSessionState(), StandardCharsets.UTF_8));
        OffsetDateTime renewed = r.renewSessionLock();
        assertTrue(renewed.isAfter(OffsetDateTime.now()));
        // Exclusive: a second accept of a held session fails.
        ServiceBusSessionReceiverClient other = closing(builder().sessionReceiver().queueName(q).buildClient());
        Exception e = assertThrows(Exception.class, () -> other.acceptSession("customer-1"));
        assertTrue(causes(e).contains("session-cannot-be-locked") || causes(e).contains("SESSION_CANNOT_BE_LOCKED")
                || causes(e).toLowerCase().contains("cannot be locked"), causes(e));
        // Close the refused client first: its retries must not race the re-accept below.
        other.close();
        r.close();
        // A fresh client: the Java SDK can hand back the still-closing link for a session it
        // just held, which then loses the lock when its close lands.
        ServiceBusSessionReceiverClient fresh = closing(builder().sessionReceiver().queueName(q).buildClient());
        ServiceBusReceiverClient again = closing(fresh.acceptSession("customer-1"));
        assertEquals("{\"count\":3}", new String(again.getSessionState(), StandardCharsets.UTF_8));
        again.close();
    }

    @Test
    void nextAvailableSession() {
        String q = sessionQueue();
        sendSessions(q, new LinkedHashMap<>(Map.of("A", List.of("a1", "a2"))));
        sendSessions(q, new LinkedHashMap<>(Map.of("B", List.of("b1"))));
        ServiceBusSessionReceiverClient sessions = closing(builder().sessionReceiver().queueName(q).buildClient());
        Map<String, List<String>> seen = new TreeMap<>();
        for (int i = 0; i < 2; i++) {
            ServiceBusReceiverClient r = sessions.acceptNextSession();
            List<ServiceBusReceivedMessage> got = receive(r, r.getSessionId().equals("A") ? 2 : 1, Duration.ofSeconds(10));
            got.forEach(r::complete);
            seen.put(r.getSessionId(), bodies(got));
            r.close();
        }
        assertEquals(Map.of("A", List.of("a1", "a2"), "B", List.of("b1")), seen);
        assertEquals(0, runtime(q).getActiveMessageCount());
    }

    @Test
    void sessionProcessorKeepsOrderPerSession() throws Exception {
        String q = sessionQueue();
        Map<String, List<String>> sent = new LinkedHashMap<>();
        sent.put("customer-1", List.of("ORD-001", "ORD-002", "ORD-003"));
        sent.put("customer-2", List.of("ORD-004", "ORD-005"));
        sent.put("customer-3", List.of("ORD-006", "ORD-007", "ORD-008", "ORD-009"));
        sendSessions(q, sent);
        Map<String, List<String>> processed = new ConcurrentHashMap<>();
        List<String> problems = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(9);
        ServiceBusProcessorClient processor = builder().sessionProcessor().queueName(q).maxConcurrentSessions(3)
                .processMessage(ctx -> {
                    ServiceBusReceivedMessage m = ctx.getMessage();
                    processed.computeIfAbsent(m.getSessionId(), k -> new CopyOnWriteArrayList<>()).add(m.getBody().toString());
                    all.countDown();
                })
                .processError(ctx -> problems.add(String.valueOf(ctx.getException())))
                .buildProcessorClient();
        try {
            processor.start();
            assertTrue(all.await(60, TimeUnit.SECONDS), "processed " + processed + " errors " + problems);
            // Auto-complete runs after processMessage returns: wait for it before closing the
            // processor, or close can cancel the last completion (the message then returns).
            long deadline = System.currentTimeMillis() + 10000;
            while (runtime(q).getActiveMessageCount() != 0 && System.currentTimeMillis() < deadline) Thread.sleep(100);
        } finally {
            processor.close();
        }
        assertEquals(sent, new HashMap<>(processed));
        assertEquals(0, runtime(q).getActiveMessageCount());
    }

    @Test
    void processorWithoutSessions() throws Exception {
        String q = queue(new CreateQueueOptions());
        ServiceBusSenderClient s = sender(q);
        for (int i = 0; i < 5; i++) s.sendMessage(new ServiceBusMessage("p" + i));
        List<String> got = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(5);
        ServiceBusProcessorClient processor = builder().processor().queueName(q)
                .processMessage(ctx -> { got.add(ctx.getMessage().getBody().toString()); done.countDown(); })
                .processError(ctx -> { })
                .buildProcessorClient();
        try {
            processor.start();
            assertTrue(done.await(30, TimeUnit.SECONDS), "got " + got);
        } finally {
            processor.close();
        }
        assertEquals(List.of("p0", "p1", "p2", "p3", "p4"), got);
    }

    // --- topics ----------------------------------------------------------------------------------------------------
    @Test
    void topicWithCorrelationFilter() {
        String t = unique("topic");
        admin.createTopic(t);
        admin.createSubscription(t, "all");
        admin.createSubscription(t, "red");
        admin.deleteRule(t, "red", "$Default");
        CorrelationRuleFilter red = new CorrelationRuleFilter();
        red.getProperties().put("color", "red");
        admin.createRule(t, "color-red", "red", new CreateRuleOptions(red)); // Java: (topic, rule, subscription, options)
        ServiceBusSenderClient s = closing(builder().sender().topicName(t).buildClient());
        ServiceBusMessage m1 = new ServiceBusMessage("red-one");
        m1.getApplicationProperties().put("color", "red");
        ServiceBusMessage m2 = new ServiceBusMessage("blue-one");
        m2.getApplicationProperties().put("color", "blue");
        s.sendMessages(List.of(m1, m2));
        ServiceBusReceiverClient all = closing(builder().receiver().topicName(t).subscriptionName("all").buildClient());
        ServiceBusReceiverClient reds = closing(builder().receiver().topicName(t).subscriptionName("red").buildClient());
        List<ServiceBusReceivedMessage> a = receive(all, 2, Duration.ofSeconds(10));
        assertEquals(List.of("red-one", "blue-one"), bodies(a));
        a.forEach(all::complete);
        List<ServiceBusReceivedMessage> r = receive(reds, 2, Duration.ofSeconds(3));
        assertEquals(List.of("red-one"), bodies(r));
        r.forEach(reds::complete);
    }

    // --- errors ----------------------------------------------------------------------------------------------------
    private static String causes(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t.getClass().getName()).append(": ").append(t.getMessage()).append(" | ");
            if (t instanceof ServiceBusException sbe) sb.append("reason=").append(sbe.getReason()).append(" | ");
            if (t instanceof AmqpException ae && ae.getErrorCondition() != null) sb.append("condition=").append(ae.getErrorCondition()).append(" | ");
        }
        return sb.toString();
    }

    @Test
    void unknownEntityIsMessagingEntityNotFound() {
        ServiceBusSenderClient s = sender(unique("missing"));
        Exception e = assertThrows(Exception.class, () -> s.sendMessage(new ServiceBusMessage("x")));
        String all = causes(e);
        assertTrue(all.contains("MESSAGING_ENTITY_NOT_FOUND") || all.contains(AmqpErrorCondition.NOT_FOUND.getErrorCondition()), all);
    }

    @Test
    void wrongKeyIsUnauthorized() {
        String q = queue(new CreateQueueOptions());
        String bad = emu.connectionString().replace("SharedAccessKey=" + Emulator.KEY, "SharedAccessKey=wrong");
        ServiceBusSenderClient s = closing(new ServiceBusClientBuilder().connectionString(bad)
                .retryOptions(new AmqpRetryOptions().setMaxRetries(0).setTryTimeout(Duration.ofSeconds(20)))
                .sender().queueName(q).buildClient());
        Exception e = assertThrows(Exception.class, () -> s.sendMessage(new ServiceBusMessage("x")));
        String all = causes(e);
        assertTrue(all.contains("UNAUTHORIZED") || all.contains("unauthorized-access"), all);
        assertEquals(0, runtime(q).getActiveMessageCount());
    }
}
