package dev.wci.server.lambdaendpoint;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks the AWS Signature Version 4 of a request against one configured key pair, as Lambda would: the access
 * key ID must be the configured one, the signature must be the one the secret key gives for this request, and
 * the request time must be within {@link #MAX_SKEW} of ours (so a captured request cannot be replayed later).
 *
 * <p>Header-signed requests only ({@code Authorization: AWS4-HMAC-SHA256 ...}); presigned URLs are refused,
 * AWS SDKs never use them for Lambda API calls. The canonical URI is the request path encoded once more, as for
 * every service but S3.
 */
final class SigV4Verifier {

    /** How far the request's {@code X-Amz-Date} may be from our clock; AWS allows the same. */
    static final Duration MAX_SKEW = Duration.ofMinutes(15);

    private static final String ALGORITHM = "AWS4-HMAC-SHA256";
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final String SERVICE = "lambda";

    private final String accessKeyId;
    private final byte[] secretKey;
    private final Clock clock;

    /** Why a request was refused: a Lambda error type and a message that never contains the secret. */
    record Refusal(String errorType, String message) {
    }

    SigV4Verifier(String accessKeyId, String secretAccessKey, Clock clock) {
        this.accessKeyId = Objects.requireNonNull(accessKeyId, "accessKeyId");
        this.secretKey = ("AWS4" + Objects.requireNonNull(secretAccessKey, "secretAccessKey"))
                .getBytes(StandardCharsets.UTF_8);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Empty when the request is signed with the configured key pair, else why not. */
    Optional<Refusal> verify(LambdaApiRequest request) {
        String authorization = request.header("authorization").orElse(null);
        if (authorization == null) {
            return refuse("MissingAuthenticationTokenException", "the request is not signed (no Authorization"
                    + " header); sign it with AWS Signature Version 4");
        }
        if (!authorization.startsWith(ALGORITHM + " ")) {
            return refuse("IncompleteSignatureException", "the Authorization header is not " + ALGORITHM);
        }
        String credential = null;
        String signedHeaders = null;
        String signature = null;
        for (String part : authorization.substring(ALGORITHM.length() + 1).split(",")) {
            String p = part.trim();
            if (p.startsWith("Credential=")) {
                credential = p.substring("Credential=".length());
            } else if (p.startsWith("SignedHeaders=")) {
                signedHeaders = p.substring("SignedHeaders=".length());
            } else if (p.startsWith("Signature=")) {
                signature = p.substring("Signature=".length());
            }
        }
        if (credential == null || signedHeaders == null || signature == null || signedHeaders.isEmpty()) {
            return refuse("IncompleteSignatureException",
                    "the Authorization header lacks Credential, SignedHeaders or Signature");
        }
        String[] scope = credential.split("/", -1);
        if (scope.length != 5 || !"aws4_request".equals(scope[4])) {
            return refuse("IncompleteSignatureException", "the credential scope is not <key>/<date>/<region>/"
                    + SERVICE + "/aws4_request");
        }
        if (!MessageDigest.isEqual(scope[0].getBytes(StandardCharsets.UTF_8),
                accessKeyId.getBytes(StandardCharsets.UTF_8))) {
            return refuse("UnrecognizedClientException", "the access key ID is not the one configured for WCI's"
                    + " Lambda endpoint (signals.lambdaEndpoint.accessKeyId)");
        }
        if (!SERVICE.equals(scope[3])) {
            return refuse("InvalidSignatureException", "the credential scope names service '" + shorten(scope[3])
                    + "', not '" + SERVICE + "'");
        }
        String amzDate = request.header("x-amz-date").orElse(null);
        if (amzDate == null) {
            return refuse("IncompleteSignatureException", "the request has no X-Amz-Date header");
        }
        Instant at;
        try {
            at = AMZ_DATE.parse(amzDate, Instant::from);
        } catch (DateTimeParseException e) {
            return refuse("IncompleteSignatureException", "X-Amz-Date is not yyyyMMddTHHmmssZ");
        }
        Instant now = clock.instant();
        if (Duration.between(at, now).abs().compareTo(MAX_SKEW) > 0) {
            return refuse("InvalidSignatureException", "signature expired or not yet valid: X-Amz-Date " + amzDate
                    + " is more than " + MAX_SKEW.toMinutes() + " min from WCI's clock (" + AMZ_DATE.format(now)
                    + ")");
        }
        if (!amzDate.startsWith(scope[1])) {
            return refuse("InvalidSignatureException", "the credential scope date does not match X-Amz-Date");
        }
        List<String> names = List.of(signedHeaders.split(";"));
        if (!names.contains("host") || !names.contains("x-amz-date")) {
            return refuse("InvalidSignatureException", "the signed headers must include host and x-amz-date");
        }
        StringBuilder canonical = new StringBuilder();
        canonical.append(request.method()).append('\n')
                .append(encode(request.rawPath(), false)).append('\n')
                .append(canonicalQuery(request.rawQuery())).append('\n');
        for (String name : names) {
            List<String> values = request.headers(name);
            if (values.isEmpty()) {
                return refuse("InvalidSignatureException", "signed header '" + shorten(name) + "' is missing");
            }
            canonical.append(name).append(':').append(String.join(",",
                    values.stream().map(v -> v.trim().replaceAll(" +", " ")).toList())).append('\n');
        }
        canonical.append('\n').append(signedHeaders).append('\n').append(hex(sha256(request.body())));
        String stringToSign = ALGORITHM + '\n' + amzDate + '\n' + scope[1] + '/' + scope[2] + '/' + scope[3]
                + "/aws4_request\n" + hex(sha256(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        byte[] key = hmac(secretKey, scope[1]);
        key = hmac(key, scope[2]);
        key = hmac(key, scope[3]);
        key = hmac(key, "aws4_request");
        String expected = hex(hmac(key, stringToSign));
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                signature.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8))) {
            return refuse("InvalidSignatureException", "the request signature does not match: the secret access"
                    + " key differs from WCI's (signals.lambdaEndpoint.secretAccessKey), or the request was altered");
        }
        return Optional.empty();
    }

    /** The query's parameters decoded, encoded strictly, sorted by name then value. */
    static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<String> pairs = new ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            pairs.add(encode(name, true) + "=" + encode(value, true));
        }
        pairs.sort(null);
        return String.join("&", pairs);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s; // a malformed escape stays as sent: the signature then simply does not match
        }
    }

    /** RFC 3986 encoding of everything but unreserved characters (and '/' unless {@code slash}). */
    static String encode(String s, boolean slash) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (byte c : s.getBytes(StandardCharsets.UTF_8)) {
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !slash)) {
                b.append((char) c);
            } else {
                b.append('%').append(String.format(Locale.ROOT, "%02X", c & 0xff));
            }
        }
        return b.toString();
    }

    private static Optional<Refusal> refuse(String type, String message) {
        return Optional.of(new Refusal(type, message));
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
