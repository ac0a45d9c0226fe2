package dev.wci.server.lambdaendpoint;

import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/** Requests signed by the AWS SDK's own SigV4 signer, as a Lambda client sends them. */
final class SignedRequests {

    static final String KEY_ID = "AKIDWCITEST";
    static final String SECRET = "wci-test-secret-key";
    static final String ARN = "arn:aws:lambda:us-east-1:000000000000:function:orders:5";

    private SignedRequests() {
    }

    static String invokePath(String arn) {
        return "/2015-03-31/functions/" + SigV4Verifier.encode(arn, true) + "/invocations";
    }

    static LambdaApiRequest invoke(String arn, String invocationType, Clock clock) {
        return sign("POST", invokePath(arn), "", Map.of("X-Amz-Invocation-Type", invocationType), new byte[0],
                KEY_ID, SECRET, clock);
    }

    static LambdaApiRequest sign(String method, String rawPath, String rawQuery, Map<String, String> headers,
                                 byte[] body, String keyId, String secret, Clock clock) {
        SdkHttpRequest.Builder b = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method))
                .uri(URI.create("http://127.0.0.1:7940" + rawPath + (rawQuery.isEmpty() ? "" : "?" + rawQuery)));
        headers.forEach(b::putHeader);
        b.putHeader("Content-Type", "application/json");
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create(keyId, secret))
                .request(b.build())
                .payload(ContentStreamProvider.fromByteArray(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "lambda")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, clock));
        Map<String, List<String>> out = new LinkedHashMap<>();
        signed.request().headers().forEach((k, v) -> out.put(k.toLowerCase(Locale.ROOT), new ArrayList<>(v)));
        out.putIfAbsent("host", List.of("127.0.0.1:7940"));
        return new LambdaApiRequest(method, rawPath, signed.request().encodedQueryParameters().orElse(""), out,
                body);
    }
}
