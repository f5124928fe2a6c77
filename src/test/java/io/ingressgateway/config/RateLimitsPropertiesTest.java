package io.ingressgateway.config;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ingressgateway.config.IngressGatewayProperties.RateLimits;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The statuses of refused requests must be error statuses the server can write, as nginx's limit_*_status. */
class RateLimitsPropertiesTest {

    @ParameterizedTest
    @ValueSource(ints = {400, 429, 500, 503, 511})
    void errorStatusesAreAccepted(int status) {
        assertThatCode(() -> new RateLimits(status, status, 1)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 302, 399, 600, 499})
    void otherStatusesAreRefusedAtStartNamingTheSetting(int status) {
        assertThatThrownBy(() -> new RateLimits(status, 503, 1)).hasMessageContaining("limit-req-status-code");
        assertThatThrownBy(() -> new RateLimits(503, status, 1)).hasMessageContaining("limit-conn-status-code");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1})
    void theStateBoundMustBePositive(long bound) {
        assertThatThrownBy(() -> new RateLimits(503, 503, bound)).hasMessageContaining("max-client-states");
    }
}
