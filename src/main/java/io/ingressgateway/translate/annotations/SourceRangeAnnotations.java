package io.ingressgateway.translate.annotations;

import io.ingressgateway.model.AddressRange;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.AddressBlock;
import io.ingressgateway.model.policy.SourceRangePolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The source range family: {@code allowlist-source-range} (and its older name {@code whitelist-source-range}, which
 * gives way to it when both are set, as in ingress-nginx) and {@code denylist-source-range}, comma-separated IPv4 and
 * IPv6 CIDR blocks or single addresses, under both spellings ({@value AnnotationReader#OUR_PREFIX} wins).
 *
 * <p>Fails closed, as ingress-nginx does: a list with any entry that is neither a CIDR block nor an address denies
 * every request of the Ingress's routes (ingress-nginx denies the location, or refuses the whole Ingress when its
 * annotation validation is on); a broken allow list must never open what it meant to close, nor a broken deny list
 * let in what it meant to keep out. The diagnostic says so. A blank value is as if the annotation were not set.
 */
public final class SourceRangeAnnotations implements AnnotationFamily<SourceRangePolicy> {

    public static final String ALLOWLIST = "allowlist-source-range";
    public static final String WHITELIST = "whitelist-source-range";
    public static final String DENYLIST = "denylist-source-range";

    private static final Set<String> ANNOTATIONS = AnnotationReader.bothSpellings(ALLOWLIST, WHITELIST, DENYLIST);

    @Override
    public String name() {
        return "source ranges";
    }

    @Override
    public Set<String> annotations() {
        return ANNOTATIONS;
    }

    @Override
    public Parsed<SourceRangePolicy> parse(Map<String, String> annotations) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        AnnotationReader reader = new AnnotationReader(annotations, diagnostics);
        String allowName = reader.isSet(ALLOWLIST) ? ALLOWLIST : WHITELIST;
        if (reader.isSet(ALLOWLIST) && reader.isSet(WHITELIST)) {
            diagnostics.add(Diagnostic.warning(AnnotationReader.field(reader.keyOf(WHITELIST)),
                    "ignored: " + reader.keyOf(ALLOWLIST) + " is set too and replaces it, as in ingress-nginx"));
        }
        List<String> refusals = new ArrayList<>();
        List<AddressBlock> allow = list(reader, allowName, refusals, diagnostics);
        List<AddressBlock> deny = list(reader, DENYLIST, refusals, diagnostics);
        if (!refusals.isEmpty()) {
            return new Parsed<>(SourceRangePolicy.refusingAll(String.join("; ", refusals)), diagnostics);
        }
        if (allow == null && deny == null) {
            return new Parsed<>(null, diagnostics);
        }
        return new Parsed<>(new SourceRangePolicy(allow, deny, null), diagnostics);
    }

    /** The list under {@code name}; null when not set or blank; on an unreadable entry, a refusal and a diagnostic. */
    private static List<AddressBlock> list(AnnotationReader reader, String name, List<String> refusals,
                                           List<Diagnostic> diagnostics) {
        String key = reader.keyOf(name);
        if (key == null) {
            return null;
        }
        String value = reader.raw(name);
        if (value.isBlank()) {
            diagnostics.add(Diagnostic.warning(AnnotationReader.field(key),
                    "is empty; ignored, the global default applies"));
            return null;
        }
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            String reason = key + " could not be read (" + e.getMessage() + ")";
            refusals.add(reason);
            diagnostics.add(Diagnostic.warning(AnnotationReader.field(key), "value '" + value + "': "
                    + e.getMessage() + "; every request to this Ingress's routes is denied (403) until it is fixed,"
                    + " as ingress-nginx denies the location"));
            return null;
        }
    }

    /**
     * Comma-separated CIDR blocks or addresses, blanks around each ignored, empty entries skipped.
     *
     * @throws IllegalArgumentException naming the first entry that is neither
     */
    public static List<AddressBlock> parse(String value) {
        List<AddressBlock> blocks = new ArrayList<>();
        for (String entry : value.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            AddressRange range = AddressRange.parse(entry);
            AddressBlock block = AddressBlock.of(range.network(), range.prefixLength());
            if (!blocks.contains(block)) {
                blocks.add(block);
            }
        }
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("no CIDR block or address in '" + value + "'");
        }
        return blocks;
    }
}
