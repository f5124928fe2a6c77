package io.ingressgateway.gateway.balance;

import java.util.regex.Pattern;

/**
 * User agents known to mishandle {@code SameSite=None} (they drop the cookie or read it as Strict), for
 * {@code session-cookie-conditional-samesite-none}: the Chromium versions 51 to 66, and Safari and embedded browsers
 * on iOS 12 and macOS 10.14, the list browser vendors published and ingress-nginx also checks.
 */
final class SameSiteNoneIncompatibleClients {

    private static final Pattern CHROMIUM_51_TO_66 = Pattern.compile("Chrom(e|ium)/(5[1-9]|6[0-6])\\.");
    private static final Pattern IOS_12 = Pattern.compile("\\(iP.+; CPU .*OS 12[_\\d]*.*\\) AppleWebKit/");
    private static final Pattern MACOS_10_14_SAFARI = Pattern.compile(
            "\\(Macintosh;.*Mac OS X 10_14[_\\d]*.*\\) AppleWebKit/");

    private SameSiteNoneIncompatibleClients() {
    }

    static boolean matches(String userAgent) {
        if (userAgent == null) {
            return false;
        }
        if (CHROMIUM_51_TO_66.matcher(userAgent).find()) {
            return true;
        }
        if (IOS_12.matcher(userAgent).find()) {
            return true;
        }
        // Safari on macOS 10.14 (Chrome there, which also says "Safari", handles None correctly).
        return MACOS_10_14_SAFARI.matcher(userAgent).find() && !userAgent.contains("Chrome/")
                && !userAgent.contains("Chromium/");
    }
}
