package dev.wci.server.lambdaendpoint;

import dev.wci.core.compute.ComputeTarget;
import dev.wci.lambda.LambdaProviderSettings;
import dev.wci.lambda.LambdaTarget;
import dev.wci.lambda.credentials.CredentialsResolver;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.ServiceMetadata;

/**
 * Forwards read calls to the Lambda API that WCI itself uses ({@code aws.endpoint}, or the public endpoint of
 * the function's region), signed anew with WCI's own credentials (the target's role when it has one), and
 * relays Lambda's answer: status, error type and body. The caller's signature was checked before and is not
 * passed on. Bounded: one call at a time per request thread, a timeout, a capped answer.
 */
final class SdkLambdaForwarder implements LambdaForwarder, AutoCloseable {

    /** Largest answer relayed; GetFunction and GetFunctionConfiguration answers are a few KiB. */
    static final int MAX_ANSWER_BYTES = 1024 * 1024;
    /** Request headers passed on (others belong to the caller's signature or connection). */
    private static final Set<String> PASSED_HEADERS = Set.of("accept", "content-type");

    private static final Logger log = LoggerFactory.getLogger(SdkLambdaForwarder.class);

    private final LambdaProviderSettings settings;
    private final CredentialsResolver credentials;
    private final Duration timeout;
    private final HttpClient http;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    /**
     * @param settings        WCI's Lambda settings (endpoint override, STS, default role)
     * @param baseCredentials WCI's credentials (the default provider chain in production)
     * @param timeout         timeout of one forwarded call
     */
    SdkLambdaForwarder(LambdaProviderSettings settings, AwsCredentialsProvider baseCredentials, Duration timeout) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.credentials = new CredentialsResolver(baseCredentials, settings.stsEndpoint(), timeout);
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public LambdaApiReply forward(LambdaApiRequest request, ComputeTarget target) {
        LambdaTarget lambda = LambdaTarget.resolve(target, settings);
        URI base = settings.lambdaEndpointOverride().orElseGet(() -> URI.create("https://"
                + ServiceMetadata.of("lambda").endpointFor(lambda.arn().sdkRegion())));
        URI uri = URI.create(base.getScheme() + "://" + base.getRawAuthority() + request.rawPath()
                + (request.rawQuery().isEmpty() ? "" : "?" + request.rawQuery()));
        SdkHttpRequest.Builder unsigned = SdkHttpRequest.builder().method(SdkHttpMethod.GET).uri(uri);
        for (String name : PASSED_HEADERS) {
            request.header(name).ifPresent(v -> unsigned.putHeader(name, v));
        }
        AwsCredentialsIdentity identity = credentials.provider(lambda.role(), lambda.arn().sdkRegion())
                .resolveIdentity().join();
        SignedRequest signed = signer.sign(r -> r.identity(identity).request(unsigned.build())
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "lambda")
                .putProperty(AwsV4HttpSigner.REGION_NAME, lambda.arn().region()));
        HttpRequest.Builder out = HttpRequest.newBuilder(uri).timeout(timeout).GET();
        signed.request().headers().forEach((name, values) -> {
            if (!"host".equalsIgnoreCase(name)) { // set by the HTTP client from the URI, as signed
                values.forEach(v -> out.header(name, v));
            }
        });
        try {
            HttpResponse<InputStream> answer = http.send(out.build(), HttpResponse.BodyHandlers.ofInputStream());
            byte[] body;
            try (InputStream in = answer.body()) {
                body = in.readNBytes(MAX_ANSWER_BYTES + 1);
            }
            if (body.length > MAX_ANSWER_BYTES) {
                return LambdaApiReply.error(502, "ServiceException", "Lambda's answer to the forwarded call is"
                        + " larger than " + MAX_ANSWER_BYTES + " bytes");
            }
            Optional<String> errorType = answer.headers().firstValue("x-amzn-errortype");
            return new LambdaApiReply(answer.statusCode(), errorType,
                    answer.headers().firstValue("content-type").orElse("application/json"), body);
        } catch (HttpTimeoutException e) {
            return unavailable(uri, "no answer within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            return unavailable(uri, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unavailable(uri, "interrupted");
        }
    }

    private static LambdaApiReply unavailable(URI uri, String why) {
        log.warn("lambda endpoint: forwarding to {} failed: {}", uri.getHost(), why);
        return LambdaApiReply.error(502, "ServiceException", "WCI could not reach the Lambda API to forward the"
                + " call: " + why);
    }

    @Override
    public void close() {
        credentials.close();
    }
}
