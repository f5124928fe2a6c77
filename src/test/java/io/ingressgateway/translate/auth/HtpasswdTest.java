package io.ingressgateway.translate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HtpasswdTest {

    static final String BCRYPT = "$2y$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a";
    static final String APR1 = "$apr1$saltsalt$LrttParrLPdxvgutaSXWJ0";
    static final String SHA = "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=";

    @Test
    void everySupportedFormatIsReadAndBadLinesAreSkippedEachWithAProblem() {
        Htpasswd.Users users = Htpasswd.parseFile(String.join("\n",
                "# comment",
                "",
                "alice:" + BCRYPT,
                "bob:" + APR1,
                "carol:" + SHA + "\r",
                "dave:$6$abcdefgh$ltjgWl6579NluT/Vi1nwEvcil.G5Nbc4NiXZaNGStk8PSwGfQv72N2CKPPrVACtLtip/cZ/1GM/O6IND4WQhG.",
                "no colon here",
                "erin:abJnggxhB/yWI",
                "frank:{PLAIN}secret",
                "grace:plaintext",
                ":" + BCRYPT,
                "alice:" + APR1,
                "heidi:{SHA}not-base64"));

        assertThat(users.users()).containsOnlyKeys("alice", "bob", "carol", "dave")
                .containsEntry("alice", BCRYPT).containsEntry("bob", APR1).containsEntry("carol", SHA);
        assertThat(users.problems()).containsExactly(
                "line 7 is not user:hash; skipped",
                "line 8 (user 'erin') uses DES crypt, which is not supported (it reads only 8 characters of a"
                        + " password; use bcrypt: htpasswd -B); skipped",
                "line 9 (user 'frank') uses {PLAIN}, which is not supported (use bcrypt: htpasswd -B); skipped",
                "line 10 (user 'grace') has no hash in a supported format (bcrypt, $apr1$, {SHA}, $1$, $5$, $6$);"
                        + " skipped",
                "line 11 has no valid user name; skipped",
                "line 12 repeats user 'alice'; the first one applies",
                "line 13 (user 'heidi') has a {SHA} hash that is not base64 of 20 bytes; skipped");
        assertThat(String.join(" ", users.problems())).doesNotContain("secret").doesNotContain("$2y$");
    }

    @Test
    void aMapHasAUserPerKey() {
        Htpasswd.Users users = Htpasswd.parseMap(Map.of("alice", BCRYPT, "bob", " " + APR1 + "\n", "eve", "x"));

        assertThat(users.users()).isEqualTo(Map.of("alice", BCRYPT, "bob", APR1));
        assertThat(users.problems()).hasSize(1).first().asString().startsWith("key 'eve' (user 'eve')");
    }

    @Test
    void theDigestChangesWithTheContentOnly() {
        String one = Htpasswd.parseFile("alice:" + BCRYPT + "\nbob:" + APR1).digest();
        assertThat(Htpasswd.parseFile("bob:" + APR1 + "\nalice:" + BCRYPT + "\n").digest()).isEqualTo(one);
        assertThat(Htpasswd.parseFile("alice:" + BCRYPT).digest()).isNotEqualTo(one);
        assertThat(Htpasswd.parseFile("alice:" + SHA + "\nbob:" + APR1).digest()).isNotEqualTo(one);
    }
}
