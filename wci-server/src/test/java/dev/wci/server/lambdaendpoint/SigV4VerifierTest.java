package dev.wci.server.lambdaendpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SigV4VerifierTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);
    private final SigV4Verifier verifier = new SigV4Verifier(SignedRequests.KEY_ID, SignedRequests.SECRET, CLOCK);

    @Test
    void aRequestSignedByTheAwsSdkWithTheConfiguredKeyPairPasses() {
        assertEquals(Optional.empty(), verifier.verify(SignedRequests.invoke(SignedRequests.ARN, "Event", CLOCK)));
        // A read call with a query string and a body-less GET.
        assertEquals(Optional.empty(), verifier.verify(SignedRequests.sign("GET",
                "/2015-03-31/functions/" + SigV4Verifier.encode("arn:aws:lambda:us-east-1:000000000000:function:"
                        + "orders", true), "Qualifier=5", Map.of(), new byte[0], SignedRequests.KEY_ID,
                SignedRequests.SECRET, CLOCK)));
        // A body is part of the signature.
        assertEquals(Optional.empty(), verifier.verify(SignedRequests.sign("POST",
                SignedRequests.invokePath(SignedRequests.ARN), "", Map.of("X-Amz-Invocation-Type", "Event"),
                "{\"a\": 1}".getBytes(StandardCharsets.UTF_8), SignedRequests.KEY_ID, SignedRequests.SECRET, CLOCK)));
    }

    @Test
    void anotherSecretKeyIsRefusedAsAnInvalidSignature() {
        LambdaApiRequest r = SignedRequests.sign("POST", SignedRequests.invokePath(SignedRequests.ARN), "",
                Map.of("X-Amz-Invocation-Type", "Event"), new byte[0], SignedRequests.KEY_ID, "another-secret", CLOCK);
        SigV4Verifier.Refusal refusal = verifier.verify(r).orElseThrow();
        assertEquals("InvalidSignatureException", refusal.errorType());
        assertTrue(!refusal.message().contains(SignedRequests.SECRET), refusal.message());
    }

    @Test
    void anotherAccessKeyIdIsAnUnrecognizedClient() {
        LambdaApiRequest r = SignedRequests.sign("POST", SignedRequests.invokePath(SignedRequests.ARN), "",
                Map.of(), new byte[0], "AKIDOTHER", SignedRequests.SECRET, CLOCK);
        assertEquals("UnrecognizedClientException", verifier.verify(r).orElseThrow().errorType());
    }

    @Test
    void anAlteredRequestNoLongerMatchesItsSignature() {
        LambdaApiRequest r = SignedRequests.invoke(SignedRequests.ARN, "Event", CLOCK);
        LambdaApiRequest otherFunction = new LambdaApiRequest(r.method(),
                SignedRequests.invokePath(SignedRequests.ARN.replace(":5", ":6")), r.rawQuery(), r.headers(), r.body());
        assertEquals("InvalidSignatureException", verifier.verify(otherFunction).orElseThrow().errorType());
        LambdaApiRequest otherBody = new LambdaApiRequest(r.method(), r.rawPath(), r.rawQuery(), r.headers(),
                "x".getBytes(StandardCharsets.UTF_8));
        assertEquals("InvalidSignatureException", verifier.verify(otherBody).orElseThrow().errorType());
        Map<String, List<String>> headers = new HashMap<>(r.headers());
        headers.put("x-amz-invocation-type", List.of("RequestResponse"));
        assertEquals("InvalidSignatureException", verifier.verify(new LambdaApiRequest(r.method(), r.rawPath(),
                r.rawQuery(), headers, r.body())).orElseThrow().errorType());
    }

    @Test
    void aRequestSignedLongBeforeOrAfterNowIsRefused() {
        Clock early = Clock.offset(CLOCK, SigV4Verifier.MAX_SKEW.plus(Duration.ofSeconds(1)).negated());
        SigV4Verifier.Refusal refusal = verifier.verify(SignedRequests.invoke(SignedRequests.ARN, "Event", early))
                .orElseThrow();
        assertEquals("InvalidSignatureException", refusal.errorType());
        assertTrue(refusal.message().contains("expired"), refusal.message());
        Clock late = Clock.offset(CLOCK, SigV4Verifier.MAX_SKEW.plus(Duration.ofSeconds(1)));
        assertTrue(verifier.verify(SignedRequests.invoke(SignedRequests.ARN, "Event", late)).isPresent());
        Clock slightlyOff = Clock.offset(CLOCK, Duration.ofMinutes(5));
        assertEquals(Optional.empty(), verifier.verify(SignedRequests.invoke(SignedRequests.ARN, "Event",
                slightlyOff)));
    }

    @Test
    void unsignedOrMalformedAuthorizationIsRefusedWithASpecificType() {
        LambdaApiRequest r = SignedRequests.invoke(SignedRequests.ARN, "Event", CLOCK);
        Map<String, List<String>> headers = new HashMap<>(r.headers());
        headers.remove("authorization");
        assertEquals("MissingAuthenticationTokenException", verifier.verify(new LambdaApiRequest(r.method(),
                r.rawPath(), r.rawQuery(), headers, r.body())).orElseThrow().errorType());
        headers.put("authorization", List.of("Bearer abc"));
        assertEquals("IncompleteSignatureException", verifier.verify(new LambdaApiRequest(r.method(),
                r.rawPath(), r.rawQuery(), headers, r.body())).orElseThrow().errorType());
        headers.put("authorization", List.of("AWS4-HMAC-SHA256 Credential=" + SignedRequests.KEY_ID));
        assertEquals("IncompleteSignatureException", verifier.verify(new LambdaApiRequest(r.method(),
                r.rawPath(), r.rawQuery(), headers, r.body())).orElseThrow().errorType());
    }

    @Test
    void theCanonicalQueryIsSortedAndStrictlyEncoded() {
        assertEquals("A=1&Qualifier=%24LATEST&b=x%20y", SigV4Verifier.canonicalQuery("b=x+y&Qualifier=%24LATEST&A=1"
                .replace("+", "%20")));
        assertEquals("", SigV4Verifier.canonicalQuery(""));
    }
}
