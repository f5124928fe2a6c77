package io.ingressgateway.globalratelimit;

import io.ingressgateway.config.IngressGatewayProperties;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Global rate limits, only when a Redis is configured ({@code ingress-gateway.global-rate-limit.redis.url}): without
 * one nothing here exists, nothing connects anywhere, and the translator warns each Ingress that asks for a limit.
 *
 * <p>Why a script of our own on Lettuce rather than Spring Cloud Gateway's {@code RedisRateLimiter} or Bucket4j's
 * Lettuce backend: both are token buckets (a bucket of {@code limit} refilled over the window), which admit up to
 * twice the limit in a window's span after an idle one and never reset at a window's end; ingress-nginx's annotations
 * promise its sliding-window counter (at most {@code limit} per window, the previous window's count weighing on the
 * next), and Ingresses migrated unchanged should be limited as before. {@code RedisRateLimiter} moreover always fails
 * open and sizes its bucket per second, and both would bring a second way of talking to Redis. Lettuce (the client both
 * use underneath) is kept: non-blocking, reconnecting, well kept; {@link SlidingWindowScript} is a dozen lines of Lua.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(GlobalRateLimitConfiguration.RedisConfigured.class)
public class GlobalRateLimitConfiguration {

    @Bean(initMethod = "start", destroyMethod = "close")
    RedisCounters globalRateLimitCounters(IngressGatewayProperties properties) {
        return new RedisCounters(properties.globalRateLimit().redis());
    }

    @Bean
    GlobalRateLimitMetrics globalRateLimitMetrics(MeterRegistry registry) {
        return new GlobalRateLimitMetrics(registry);
    }

    @Bean
    GlobalRateLimitFilter globalRateLimitFilter(RedisCounters counters, GlobalRateLimitMetrics metrics,
                                                IngressGatewayProperties properties) {
        return new GlobalRateLimitFilter(counters, metrics, properties.globalRateLimit());
    }

    /** The bean name makes the health contributor {@code globalRateLimit}, which no probe group includes. */
    @Bean
    GlobalRateLimitHealthIndicator globalRateLimitHealthIndicator(RedisCounters counters,
                                                                  IngressGatewayProperties properties) {
        return new GlobalRateLimitHealthIndicator(counters, properties.globalRateLimit().failureMode());
    }

    /** Whether {@code ingress-gateway.global-rate-limit.redis.url} is set to something. */
    static final class RedisConfigured implements Condition {

        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            String url = context.getEnvironment().getProperty("ingress-gateway.global-rate-limit.redis.url", "");
            return !url.isBlank();
        }
    }
}
