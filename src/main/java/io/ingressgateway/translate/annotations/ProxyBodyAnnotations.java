package io.ingressgateway.translate.annotations;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.BodyPolicy;
import io.ingressgateway.translate.annotations.AnnotationReader.Invalid;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The request body family: reads {@code proxy-body-size}, {@code client-body-buffer-size} and
 * {@code proxy-request-buffering} into a {@link BodyPolicy} that the data plane's {@code RequestBodyFilter} applies to
 * every route of the Ingress. The response-side buffering annotations ({@code proxy-buffering},
 * {@code proxy-buffer-size}, {@code proxy-buffers-number}) and {@code proxy-http-version} have no observable effect
 * here (the gateway always streams responses and speaks HTTP/1.1 to upstreams): no family reads them, so
 * {@link NginxAnnotationCatalog} reports each as "no effect" on its Ingress.
 *
 * <p>Sizes are read as nginx reads them: a whole number of bytes, or with a suffix {@code k}/{@code K} (KiB),
 * {@code m}/{@code M} (MiB) or, for {@code proxy-body-size}, {@code g}/{@code G} (GiB). {@code proxy-body-size: 0}
 * means no limit, as in nginx.
 */
public final class ProxyBodyAnnotations implements AnnotationFamily<BodyPolicy> {

    public static final String BODY_SIZE = "proxy-body-size";
    public static final String BUFFER_SIZE = "client-body-buffer-size";
    public static final String REQUEST_BUFFERING = "proxy-request-buffering";

    /**
     * Largest {@code client-body-buffer-size}: the gateway holds that much of a body in memory per request (nginx
     * writes what passes its buffer to a temporary file instead), so a larger value is refused rather than allowing
     * an Ingress to make the gateway hold gigabytes.
     */
    static final long MAX_BUFFER_SIZE = 16L * 1024 * 1024;

    private static final Pattern SIZE = Pattern.compile("(\\d{1,15})([kKmMgG]?)");

    private static final Set<String> ANNOTATIONS = AnnotationReader.bothSpellings(BODY_SIZE, BUFFER_SIZE,
            REQUEST_BUFFERING);

    @Override
    public String name() {
        return "request body";
    }

    @Override
    public Set<String> annotations() {
        return ANNOTATIONS;
    }

    @Override
    public Parsed<BodyPolicy> parse(Map<String, String> annotations) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        AnnotationReader reader = new AnnotationReader(annotations, diagnostics);
        Long maxSize = reader.read(BODY_SIZE, value -> size(value, true));
        Long bufferSize = reader.read(BUFFER_SIZE, ProxyBodyAnnotations::bufferSize);
        Boolean requestBuffering = reader.read(REQUEST_BUFFERING, ProxyBodyAnnotations::onOff);
        BodyPolicy policy = new BodyPolicy(maxSize, bufferSize, requestBuffering);
        return new Parsed<>(policy.equals(BodyPolicy.DEFAULTS) ? null : policy, diagnostics);
    }

    /**
     * A size as nginx reads one: bytes, or a number with {@code k}, {@code m} (and {@code g} when {@code gigabytes})
     * in either case, powers of 1024.
     */
    static long size(String value, boolean gigabytes) throws Invalid {
        Matcher matcher = SIZE.matcher(value);
        String units = gigabytes ? "k, m or g" : "k or m";
        if (!matcher.matches() || (!gigabytes && matcher.group(2).equalsIgnoreCase("g"))) {
            throw new Invalid("is not a size (a whole number of bytes, or with the suffix " + units
                    + ", like 8k or 10m)");
        }
        long number = Long.parseLong(matcher.group(1));
        long unit = switch (matcher.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 1024L;
            case "m" -> 1024L * 1024;
            case "g" -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        try {
            return Math.multiplyExact(number, unit);
        } catch (ArithmeticException e) {
            throw new Invalid("is too large");
        }
    }

    static long bufferSize(String value) throws Invalid {
        long size = size(value, false);
        if (size == 0) {
            throw new Invalid("must be greater than zero");
        }
        if (size > MAX_BUFFER_SIZE) {
            throw new Invalid("is larger than the 16m this gateway holds in memory per request");
        }
        return size;
    }

    /** {@code on} or {@code off}, as nginx's flags, any case. */
    static Boolean onOff(String value) throws Invalid {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "on" -> Boolean.TRUE;
            case "off" -> Boolean.FALSE;
            default -> throw new Invalid("is not \"on\" or \"off\"");
        };
    }
}
