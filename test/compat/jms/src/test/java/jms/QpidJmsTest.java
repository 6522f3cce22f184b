package jms;

import static org.junit.jupiter.api.Assertions.*;

import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.*;

/**
 * Qpid JMS (the generic AMQP 1.0 JMS client) against the emulator, connected as Azure's JMS guidance
 * describes: SASL PLAIN with a SAS policy's name as user and its key as password, `amqp://host:port`.
 * Entities come from src/test/resources/Config.json.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QpidJmsTest {
    private static final long WAIT_MS = 10_000;
    private Emulator emu;

    @BeforeAll
    void start() throws Exception {
        Path work = Path.of(System.getProperty("compat.workdir", "target/sbemu")).toAbsolutePath();
        Files.createDirectories(work);
        Path config = Path.of(getClass().getResource("/Config.json").toURI());
        emu = Emulator.start(work, config);
    }

    @AfterAll
    void stop() throws Exception {
        if (emu != null) emu.close();
    }

    private Connection connect(String user, String password) throws JMSException {
        Connection c = new JmsConnectionFactory(user, password, emu.uri()).createConnection();
        c.start();
        return c;
    }

    private Connection connect() throws JMSException {
        return connect(Emulator.KEY_NAME, Emulator.KEY);
    }

    private static void send(Session s, jakarta.jms.Destination to, String... texts) throws JMSException {
        try (MessageProducer p = s.createProducer(to)) {
            for (String t : texts) p.send(s.createTextMessage(t));
        }
    }

    private static String text(Message m) throws JMSException {
        assertNotNull(m, "no message within " + WAIT_MS + " ms");
        return ((TextMessage) m).getText();
    }

    @Test
    void sendAndReceiveOnAQueue() throws Exception {
        try (Connection c = connect(); Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            Queue q = s.createQueue("jms-queue");
            try (MessageProducer p = s.createProducer(q)) {
                TextMessage m = s.createTextMessage("hello from JMS");
                m.setStringProperty("color", "blue");
                m.setIntProperty("n", 7);
                m.setJMSCorrelationID("corr-1");
                p.send(m);
            }
            try (MessageConsumer consumer = s.createConsumer(q)) {
                Message got = consumer.receive(WAIT_MS);
                assertEquals("hello from JMS", text(got));
                assertEquals("blue", got.getStringProperty("color"));
                assertEquals(7, got.getIntProperty("n"));
                assertEquals("corr-1", got.getJMSCorrelationID());
                assertNotNull(got.getJMSMessageID());
                assertFalse(got.getJMSRedelivered());
                assertNull(consumer.receive(500), "auto-ack settled the message: nothing left");
            }
        }
    }

    @Test
    void receiveFromATopicSubscription() throws Exception {
        try (Connection c = connect(); Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            send(s, s.createTopic("jms-topic"), "to every subscription");
            // Azure's JMS guidance: a subscription is read as the queue "<topic>/Subscriptions/<subscription>".
            try (MessageConsumer consumer = s.createConsumer(s.createQueue("jms-topic/Subscriptions/sub"))) {
                assertEquals("to every subscription", text(consumer.receive(WAIT_MS)));
            }
        }
    }

    @Test
    void autoAcknowledgeWithAListener() throws Exception {
        try (Connection c = connect(); Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            Queue q = s.createQueue("jms-auto-ack");
            send(s, q, "one", "two");
            java.util.concurrent.BlockingQueue<String> seen = new java.util.concurrent.LinkedBlockingQueue<>();
            try (MessageConsumer consumer = s.createConsumer(q)) {
                consumer.setMessageListener(m -> {
                    try { seen.add(((TextMessage) m).getText()); } catch (JMSException e) { seen.add("error: " + e); }
                });
                assertEquals("one", seen.poll(WAIT_MS, TimeUnit.MILLISECONDS));
                assertEquals("two", seen.poll(WAIT_MS, TimeUnit.MILLISECONDS));
            }
        }
        // A new connection finds nothing: both were settled when the listener returned.
        try (Connection c = connect(); Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
             MessageConsumer consumer = s.createConsumer(s.createQueue("jms-auto-ack"))) {
            assertNull(consumer.receive(1000));
        }
    }

    @Test
    void clientAcknowledgeSettlesOnlyWhenAcknowledged() throws Exception {
        try (Connection c = connect(); Session s = c.createSession(false, Session.CLIENT_ACKNOWLEDGE)) {
            Queue q = s.createQueue("jms-client-ack");
            send(s, q, "first", "second");
            try (MessageConsumer consumer = s.createConsumer(q)) {
                Message first = consumer.receive(WAIT_MS);
                assertEquals("first", text(first));
                Message second = consumer.receive(WAIT_MS);
                assertEquals("second", text(second));
                second.acknowledge(); // acknowledges every message the session delivered
                assertNull(consumer.receive(500));
            }
        }
        try (Connection c = connect(); Session s = c.createSession(false, Session.CLIENT_ACKNOWLEDGE);
             MessageConsumer consumer = s.createConsumer(s.createQueue("jms-client-ack"))) {
            assertNull(consumer.receive(1000), "acknowledged messages are gone");
        }
    }

    @Test
    void recoverRedeliversTheUnacknowledged() throws Exception {
        try (Connection c = connect(); Session s = c.createSession(false, Session.CLIENT_ACKNOWLEDGE)) {
            Queue q = s.createQueue("jms-recover");
            send(s, q, "try again");
            try (MessageConsumer consumer = s.createConsumer(q)) {
                Message m = consumer.receive(WAIT_MS);
                assertEquals("try again", text(m));
                assertEquals(1, m.getIntProperty("JMSXDeliveryCount"));
                s.recover();
                Message again = consumer.receive(WAIT_MS);
                assertEquals("try again", text(again));
                assertTrue(again.getJMSRedelivered());
                assertEquals(2, again.getIntProperty("JMSXDeliveryCount"));
                again.acknowledge();
                assertNull(consumer.receive(500));
            }
        }
    }

    @Test
    void wrongPasswordIsRefused() {
        JmsConnectionFactory f = new JmsConnectionFactory(Emulator.KEY_NAME, "wrong-key", emu.uri());
        JMSException e = assertThrows(JMSException.class, () -> {
            try (Connection c = f.createConnection()) {
                c.start();
            }
        });
        assertInstanceOf(JMSSecurityException.class, e, e.toString());
    }

    @Test
    void anEntityPolicyReachesItsOwnQueueOnly() throws Exception {
        try (Connection c = connect("jms-app", "jms-app-key"); Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            Queue own = s.createQueue("jms-entity-policy");
            send(s, own, "with the queue's own key");
            try (MessageConsumer consumer = s.createConsumer(own)) {
                assertEquals("with the queue's own key", text(consumer.receive(WAIT_MS)));
            }
            assertThrows(JMSSecurityException.class, () -> s.createProducer(s.createQueue("jms-queue")));
        }
    }

    @Test
    void selectorsAndBrowsersAreRefusedNotMisserved() throws Exception {
        try (Connection c = connect(); Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            Queue q = s.createQueue("jms-unsupported");
            send(s, q, "still here");
            JMSException selector = assertThrows(JMSException.class, () -> s.createConsumer(q, "color = 'red'"));
            assertTrue(selector.getMessage().contains("selectors are not supported"), selector.getMessage());
            // A QueueBrowser must not consume what it looks at: it is refused, and the message stays.
            assertThrows(JMSException.class, () -> s.createBrowser(q).getEnumeration().hasMoreElements());
            try (MessageConsumer consumer = s.createConsumer(q)) {
                assertEquals("still here", text(consumer.receive(WAIT_MS)));
            }
        }
    }
}
