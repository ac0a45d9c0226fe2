package dev.wci.server.config;

import java.util.regex.Pattern;

/** Hides credentials that users write into URLs ({@code https://user:password@host/}) before a URL is printed. */
public final class Redaction {

    // scheme://userinfo@ — userinfo ends at the first '@' before any '/', '?', '#', quote or space.
    private static final Pattern USERINFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/?#@\\s\"]+@");

    private Redaction() {
    }

    /** {@code text} with the user information of every URL in it replaced by {@code ***}. */
    public static String userinfo(String text) {
        return USERINFO.matcher(text).replaceAll("$1***@");
    }
}
