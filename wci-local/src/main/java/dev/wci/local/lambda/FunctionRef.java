package dev.wci.local.lambda;

/**
 * A function as named in a Lambda API path: a plain name, {@code name:qualifier}, a partial ARN
 * ({@code 123456789012:function:name[:qualifier]}) or a full ARN, plus the {@code Qualifier} query parameter.
 *
 * @param name      the plain function name
 * @param qualifier the version (or {@code $LATEST}), or null when none was given
 */
public record FunctionRef(String name, String qualifier) {

    /**
     * Parses the (already URL-decoded) path segment and the optional query qualifier.
     *
     * @throws IllegalArgumentException when the name is malformed or the two qualifiers disagree,
     *                                  with the message AWS would give
     */
    public static FunctionRef parse(String functionName, String queryQualifier) {
        if (functionName == null || functionName.isEmpty()) {
            throw new IllegalArgumentException("FunctionName must not be empty");
        }
        String[] parts = functionName.split(":", -1);
        String name;
        String qualifier = null;
        if (parts[0].equals("arn")) {
            // arn:aws:lambda:region:account:function:name[:qualifier]
            if ((parts.length != 7 && parts.length != 8) || !parts[2].equals("lambda") || !parts[5].equals("function")) {
                throw new IllegalArgumentException("1 validation error detected: Value '" + functionName
                        + "' at 'functionName' failed to satisfy constraint: not a Lambda function ARN");
            }
            name = parts[6];
            qualifier = parts.length == 8 ? parts[7] : null;
        } else if (parts.length >= 3 && parts[1].equals("function")) {
            // account:function:name[:qualifier]
            if (parts.length > 4) {
                throw new IllegalArgumentException("Invalid partial function ARN: " + functionName);
            }
            name = parts[2];
            qualifier = parts.length == 4 ? parts[3] : null;
        } else if (parts.length <= 2) {
            name = parts[0];
            qualifier = parts.length == 2 ? parts[1] : null;
        } else {
            throw new IllegalArgumentException("Invalid function name: " + functionName);
        }
        if (name.isEmpty() || (qualifier != null && qualifier.isEmpty())) {
            throw new IllegalArgumentException("Invalid function name: " + functionName);
        }
        if (queryQualifier != null && !queryQualifier.isEmpty()) {
            if (qualifier != null && !qualifier.equals(queryQualifier)) {
                throw new IllegalArgumentException(
                        "The derived qualifier from the function name does not match the specified qualifier.");
            }
            qualifier = queryQualifier;
        }
        return new FunctionRef(name, qualifier);
    }
}
