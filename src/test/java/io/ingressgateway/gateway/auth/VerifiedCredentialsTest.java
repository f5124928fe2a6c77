package io.ingressgateway.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VerifiedCredentialsTest {

    @Test
    void aKeyDependsOnEveryPartAndNeverShowsThePassword() {
        VerifiedCredentials verified = new VerifiedCredentials(10);
        String key = verified.key("secret-v1", "alice", "hunter2");

        assertThat(key).doesNotContain("hunter2").isEqualTo(verified.key("secret-v1", "alice", "hunter2"));
        assertThat(verified.key("secret-v2", "alice", "hunter2")).as("a changed Secret").isNotEqualTo(key);
        assertThat(verified.key("secret-v1", "alice", "hunter3")).isNotEqualTo(key);
        assertThat(verified.key("secret-v1", "alic", "ehunter2")).as("parts cannot slide").isNotEqualTo(key);
        assertThat(new VerifiedCredentials(10).key("secret-v1", "alice", "hunter2")).as("salted per instance")
                .isNotEqualTo(key);
    }

    @Test
    void itIsBoundedAndTheLeastRecentlyUsedLeavesFirst() {
        VerifiedCredentials verified = new VerifiedCredentials(2);
        verified.add("a");
        verified.add("b");
        assertThat(verified.contains("a")).isTrue(); // a is now the most recently used
        verified.add("c");

        assertThat(verified.size()).isEqualTo(2);
        assertThat(verified.contains("a")).isTrue();
        assertThat(verified.contains("b")).isFalse();
        assertThat(verified.contains("c")).isTrue();
    }

    @Test
    void zeroEntriesRemembersNothing() {
        VerifiedCredentials verified = new VerifiedCredentials(0);
        verified.add("a");

        assertThat(verified.contains("a")).isFalse();
    }
}
