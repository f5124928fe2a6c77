package io.ingressgateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.gateway.filter.ProxyHeadersFilter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveForwardedHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveHopByHopHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveXForwardedHeadersFilter;

/** Which headers filters the upstream request goes through. */
class SupersededHeadersFiltersTest {

    private final HttpHeadersFilter removeForwarded = new RemoveForwardedHeadersFilter();
    private final HttpHeadersFilter removeXForwarded = new RemoveXForwardedHeadersFilter();
    private final HttpHeadersFilter hopByHop = new RemoveHopByHopHeadersFilter();
    private final HttpHeadersFilter proxyHeaders = new ProxyHeadersFilter();

    @Test
    void theForwardedHeaderRemovalsAreLeftOutWhenTheProxyHeadersFilterReplacesThoseHeaders() {
        assertThat(GuardedNettyRoutingFilter.withoutSupersededFilters(
                List.of(removeForwarded, removeXForwarded, proxyHeaders, hopByHop)))
                .containsExactly(proxyHeaders, hopByHop);
    }

    @Test
    void withoutTheProxyHeadersFilterEveryFilterStays() {
        List<HttpHeadersFilter> filters = List.of(removeForwarded, removeXForwarded, hopByHop);
        assertThat(GuardedNettyRoutingFilter.withoutSupersededFilters(filters)).isSameAs(filters);
        assertThat(GuardedNettyRoutingFilter.withoutSupersededFilters(null)).isNull();
    }
}
