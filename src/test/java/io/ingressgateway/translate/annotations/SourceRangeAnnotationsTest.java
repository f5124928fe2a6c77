package io.ingressgateway.translate.annotations;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.AddressBlock;
import io.ingressgateway.model.policy.SourceRangePolicy;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SourceRangeAnnotationsTest {

    private static final String NGINX = AnnotationReader.NGINX_PREFIX;
    private static final String OURS = AnnotationReader.OUR_PREFIX;

    private final SourceRangeAnnotations family = new SourceRangeAnnotations();

    static Stream<Arguments> readableLists() {
        return Stream.of(
                Arguments.of(Map.of(NGINX + "whitelist-source-range", "10.0.0.0/8"), List.of("10.0.0.0/8"), null),
                Arguments.of(Map.of(NGINX + "allowlist-source-range", "18.0.0.0/8, 56.0.0.0/8"),
                        List.of("18.0.0.0/8", "56.0.0.0/8"), null),
                Arguments.of(Map.of(NGINX + "allowlist-source-range", "127.0.0.1"), List.of("127.0.0.1/32"), null),
                Arguments.of(Map.of(NGINX + "allowlist-source-range", "10.1.2.3/8"), List.of("10.0.0.0/8"), null),
                Arguments.of(Map.of(NGINX + "allowlist-source-range", "2001:db8::/32,192.0.2.0/24,"),
                        List.of("2001:db8:0:0:0:0:0:0/32", "192.0.2.0/24"), null),
                Arguments.of(Map.of(NGINX + "denylist-source-range", "::1, 127.0.0.0/8"), null,
                        List.of("0:0:0:0:0:0:0:1/128", "127.0.0.0/8")),
                // Ours wins over ingress-nginx's spelling.
                Arguments.of(Map.of(NGINX + "denylist-source-range", "10.0.0.0/8",
                        OURS + "denylist-source-range", "192.168.0.0/16"), null, List.of("192.168.0.0/16")),
                // allowlist-source-range wins over its older name, as in ingress-nginx.
                Arguments.of(Map.of(NGINX + "whitelist-source-range", "10.0.0.0/8",
                        NGINX + "allowlist-source-range", "172.16.0.0/12"), List.of("172.16.0.0/12"), null),
                Arguments.of(Map.of(NGINX + "allowlist-source-range", "10.0.0.0/8",
                        NGINX + "denylist-source-range", "10.9.0.0/16"), List.of("10.0.0.0/8"),
                        List.of("10.9.0.0/16")));
    }

    @ParameterizedTest
    @MethodSource("readableLists")
    void readsListsAsIngressNginxDoes(Map<String, String> annotations, List<String> allow, List<String> deny) {
        SourceRangePolicy policy = family.parse(annotations).policy();

        assertThat(policy.refusal()).isNull();
        assertThat(texts(policy.allowlist())).isEqualTo(allow);
        assertThat(texts(policy.denylist())).isEqualTo(deny);
    }

    static Stream<Arguments> unreadableLists() {
        return Stream.of(
                Arguments.of(NGINX + "allowlist-source-range", "10.0.0.0/33"),
                Arguments.of(NGINX + "whitelist-source-range", "10.0.0.0/8, not-an-address"),
                Arguments.of(NGINX + "allowlist-source-range", "10.0.0.256"),
                Arguments.of(NGINX + "allowlist-source-range", "example.com"),
                Arguments.of(OURS + "allowlist-source-range", "2001:db8::/129"),
                Arguments.of(NGINX + "denylist-source-range", "1.2.3.4/-1"),
                Arguments.of(NGINX + "denylist-source-range", ",,"));
    }

    @ParameterizedTest
    @MethodSource("unreadableLists")
    void anUnreadableListClosesTheRoutesAndSaysSo(String key, String value) {
        AnnotationFamily.Parsed<SourceRangePolicy> parsed = family.parse(Map.of(key, value));

        assertThat(parsed.policy().refusal()).contains(key);
        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.field()).isEqualTo(AnnotationReader.field(key));
            assertThat(diagnostic.message()).contains(value).contains("every request to this Ingress's routes is"
                    + " denied (403)");
        });
    }

    @Test
    void aBrokenDenyListBesideAGoodAllowListStillClosesTheRoutes() {
        SourceRangePolicy policy = family.parse(Map.of(NGINX + "allowlist-source-range", "10.0.0.0/8",
                NGINX + "denylist-source-range", "10.0.0.x")).policy();

        assertThat(policy.refusal()).isNotNull();
    }

    @Test
    void aBlankListIsAsIfUnsetAndIsWarnedAbout() {
        AnnotationFamily.Parsed<SourceRangePolicy> parsed = family.parse(Map.of(NGINX + "allowlist-source-range",
                " "));

        assertThat(parsed.policy()).isNull();
        assertThat(parsed.diagnostics()).extracting(Diagnostic::message).singleElement().asString()
                .contains("the global default applies");
    }

    @Test
    void bothNamesOfTheAllowListAreWarnedAbout() {
        AnnotationFamily.Parsed<SourceRangePolicy> parsed = family.parse(Map.of(
                NGINX + "whitelist-source-range", "10.0.0.0/8", NGINX + "allowlist-source-range", "10.0.0.0/8"));

        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic ->
                assertThat(diagnostic.field()).contains("whitelist-source-range"));
    }

    @Test
    void denyIsCheckedBeforeAllowAndAnAllowListClosesEverythingElse() {
        List<AddressBlock> allow = SourceRangeAnnotations.parse("10.0.0.0/8, 2001:db8::/32");
        List<AddressBlock> deny = SourceRangeAnnotations.parse("10.9.0.0/16");

        assertThat(SourceRangePolicy.admits(new byte[] {10, 1, 2, 3}, allow, deny)).isTrue();
        assertThat(SourceRangePolicy.admits(new byte[] {10, 9, 2, 3}, allow, deny)).isFalse();
        assertThat(SourceRangePolicy.admits(new byte[] {127, 0, 0, 1}, allow, deny)).isFalse();
        byte[] v6 = new byte[16];
        v6[0] = 0x20;
        v6[1] = 0x01;
        v6[2] = 0x0d;
        v6[3] = (byte) 0xb8;
        assertThat(SourceRangePolicy.admits(v6, allow, deny)).isTrue();
        assertThat(SourceRangePolicy.admits(new byte[] {127, 0, 0, 1}, List.of(), deny)).isTrue();
    }

    private static List<String> texts(List<AddressBlock> blocks) {
        return blocks == null ? null : blocks.stream().map(AddressBlock::toString).toList();
    }
}
