package emu;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import reactor.core.publisher.Mono;

/**
 * A plain SAS TokenCredential (the documented Service Bus SAS format), for
 * ServiceBusAdministrationClientBuilder.credential("localhost:PORT", credential): the only public
 * builder path that keeps the admin port (connectionString() and endpoint() keep only the host).
 */
public final class SasCredential implements TokenCredential {
    private final String resource;
    private final String keyName;
    private final String key;

    /** @param resource what the token is for, e.g. "https://localhost:5300/" for the whole namespace. */
    public SasCredential(String resource, String keyName, String key) {
        this.resource = resource;
        this.keyName = keyName;
        this.key = key;
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
        // The admin pipeline asks for the AAD scope "https://servicebus.azure.net/.default" when the credential
        // is not the SDK's own SAS credential; a SAS token is for a resource, so sign the namespace instead.
        return Mono.fromCallable(() -> token(resource));
    }

    private AccessToken token(String resource) throws Exception {
        long expiry = Instant.now().getEpochSecond() + 3600;
        return new AccessToken(sign(resource, keyName, key, expiry), OffsetDateTime.ofInstant(Instant.ofEpochSecond(expiry), ZoneOffset.UTC));
    }

    /** A SAS token for `resource` expiring at `expiry` (epoch seconds), e.g. for SharedAccessSignature= connection strings. */
    public static String sign(String resource, String keyName, String key, long expiry) throws Exception {
        String sr = URLEncoder.encode(resource, StandardCharsets.UTF_8);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String sig = Base64.getEncoder().encodeToString(mac.doFinal((sr + "\n" + expiry).getBytes(StandardCharsets.UTF_8)));
        return "SharedAccessSignature sr=" + sr + "&sig=" + URLEncoder.encode(sig, StandardCharsets.UTF_8)
                + "&se=" + expiry + "&skn=" + URLEncoder.encode(keyName, StandardCharsets.UTF_8);
    }
}
