package io.ingressgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlMetricNamesTest {

    @Test
    void takesTheMetricsOutOfFunctionsAggregationsMatchersAndVariables() {
        assertThat(PromQlMetricNames.of("histogram_quantile(0.99, sum by (le, ingress) (rate("
                + "ingress_gateway_request_duration_seconds_bucket{namespace=~\"$namespace\",ingress=~\"${ingress}\","
                + "status!~\"[45].*\"}[$__rate_interval])))"))
                .containsExactly("ingress_gateway_request_duration_seconds_bucket");
        assertThat(PromQlMetricNames.of("sum(rate(a_total{x=\"sum(b)\"}[5m])) / ignoring(status) group_left "
                + "sum without (pod) (rate(b_total[1m] offset 1h)) * 100 > bool 0.5e3"))
                .containsExactly("a_total", "b_total");
        assertThat(PromQlMetricNames.of("max(c_seconds - time()) and on(host) topk(5, d)"))
                .containsExactly("c_seconds", "d");
    }

    @Test
    void readsGrafanasLabelValuesQueries() {
        assertThat(PromQlMetricNames.of("label_values(ingress_gateway_requests_total{namespace=~\"$namespace\"}, "
                + "ingress)")).containsExactly("ingress_gateway_requests_total");
        assertThat(PromQlMetricNames.of("label_values(namespace)")).isEmpty();
    }
}
