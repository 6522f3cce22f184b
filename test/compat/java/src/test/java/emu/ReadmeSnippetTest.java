package emu;

import static org.junit.jupiter.api.Assertions.*;

import com.azure.messaging.servicebus.administration.ServiceBusAdministrationClient;
import com.azure.messaging.servicebus.administration.ServiceBusAdministrationClientBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.*;

/**
 * The README's Java snippet, run as written: the block under **Java** becomes the body of main in
 * a generated class (the SDK imports and CONN are all that is added), compiled with the test
 * classpath and run against an emulator that has queue.1, as the default configuration does.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReadmeSnippetTest {
    static String readmeSnippet(String section, String label) throws Exception {
        Path root = Path.of(System.getProperty("repo.root", "../../..")).toAbsolutePath().normalize();
        String text = Files.readString(root.resolve("README.md"));
        int start = text.indexOf("\n## " + section + "\n");
        assertTrue(start >= 0, "README has no section " + section);
        int at = text.indexOf("\n" + label, start);
        assertTrue(at >= 0, "README section " + section + " has no " + label);
        int body = text.indexOf("\n", text.indexOf("```", at)) + 1;
        return text.substring(body, text.indexOf("\n```", body) + 1);
    }

    @Test
    void javaSnippetRunsAsWritten() throws Exception {
        String snippet = readmeSnippet("SDK snippets", "**Java**");
        assertTrue(snippet.contains(".queueName(\"queue.1\")"), snippet);

        Path work = Path.of(System.getProperty("compat.workdir", "target/sbemu")).toAbsolutePath();
        Files.createDirectories(work);
        try (Emulator emu = Emulator.start(work, Emulator.freePort())) {
            emu.trustCa(work);
            ServiceBusAdministrationClient admin = new ServiceBusAdministrationClientBuilder()
                    .credential("localhost:" + emu.httpPort,
                            new SasCredential("https://localhost:" + emu.httpPort + "/", Emulator.KEY_NAME, Emulator.KEY))
                    .buildClient();
            admin.createQueue("queue.1");

            String source = "import com.azure.messaging.servicebus.*;\nimport java.time.Duration;\n\n"
                    + "public class ReadmeSnippet {\n    static final String CONN = \"" + emu.connectionString() + "\";\n\n"
                    + "    public static void main(String[] args) {\n" + snippet + "    }\n}\n";
            Path dir = Files.createTempDirectory(work, "readme-snippet-");
            Files.writeString(dir.resolve("ReadmeSnippet.java"), source);
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            StringWriter diagnostics = new StringWriter();
            boolean compiled = javac.getTask(diagnostics, null, null,
                    List.of("-classpath", System.getProperty("java.class.path"), "-d", dir.toString()), null,
                    javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(dir.resolve("ReadmeSnippet.java")))
                    .call();
            assertTrue(compiled, diagnostics + "\n--- source ---\n" + source);

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream original = System.out;
            try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
                Method main = loader.loadClass("ReadmeSnippet").getMethod("main", String[].class);
                System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
                main.invoke(null, (Object) new String[0]);
            } finally {
                System.setOut(original);
            }
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("hello"), "the snippet printed: " + out);
            assertEquals(0, admin.getQueueRuntimeProperties("queue.1").getActiveMessageCount(), "the snippet completes what it received");
        }
    }
}
