package io.ingressgateway.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each hash format basic auth accepts, with hashes made by other tools than the libraries checking them: bcrypt by
 * libxcrypt ({@code perl -e 'print crypt("secret", q{$2y$05$abcdefghijklmnopqrstuu})'}), the others by
 * {@code openssl passwd} ({@code -apr1}, {@code -1}, {@code -5}, {@code -6}) and {@code openssl sha1 | base64}.
 */
class PasswordHashesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "$2y$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a",
        "$2b$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a",
        "$2a$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a",
        "$apr1$saltsalt$LrttParrLPdxvgutaSXWJ0",
        "$1$abc$iCQ2D3nhptRYi27fDYv2s1",
        "$5$abcdefgh$gruCpC7VkOTspMQTTSAR8mtlO9Upms.fwqE5y16JVM.",
        "$6$abcdefgh$ltjgWl6579NluT/Vi1nwEvcil.G5Nbc4NiXZaNGStk8PSwGfQv72N2CKPPrVACtLtip/cZ/1GM/O6IND4WQhG.",
        "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=",
    })
    void theRightPasswordMatchesAndNoOtherDoes(String hash) {
        assertThat(PasswordHashes.matches(hash, "secret")).isTrue();
        assertThat(PasswordHashes.matches(hash, "Secret")).isFalse();
        assertThat(PasswordHashes.matches(hash, "")).isFalse();
        assertThat(PasswordHashes.matches(hash, "secret ")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"secret", "{PLAIN}secret", "abJnggxhB/yWI", "$2y$05$short", "$apr1$", "{SHA}!!"})
    void unsupportedOrBrokenHashesNeverMatch(String hash) {
        assertThat(PasswordHashes.matches(hash, "secret")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {72, 73, 1000})
    void longPasswordsAreAnsweredNotThrown(int length) {
        assertThat(PasswordHashes.matches("$2y$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a",
                "x".repeat(length))).isFalse();
    }
}
