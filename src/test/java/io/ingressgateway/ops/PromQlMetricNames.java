package io.ingressgateway.ops;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression (as a Grafana panel or variable writes it) selects: what is left once
 * Grafana's variables, strings, label matchers, ranges, grouping label lists, numbers, keywords, aggregation operators
 * and function names are taken out. Good enough for dashboards, not a PromQL parser: it never needs to know what an
 * expression computes, only which series it reads.
 */
final class PromQlMetricNames {

    /** {@code $name}, {@code ${name}}, {@code ${name:format}}, {@code [[name]]}. */
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{[^}]*}|\\$\\w+|\\[\\[\\w+]]");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern LABEL_LIST =
            Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    /** Grafana's {@code label_values(expr, label)}: the expression's metrics, not the label. */
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.*),\\s*[a-zA-Z_]\\w*\\s*\\)");
    private static final Pattern LABEL_VALUES_ALONE = Pattern.compile("label_values\\(\\s*[a-zA-Z_]\\w*\\s*\\)");
    /** A duration outside a range ({@code offset 1h30m}). */
    private static final Pattern DURATION = Pattern.compile("\\b(\\d+(ms|s|m|h|d|w|y))+\\b");
    private static final Pattern NUMBER = Pattern.compile("\\b\\d+(\\.\\d+)?([eE][+-]?\\d+)?\\b");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "and", "or", "unless", "offset", "atan2", "inf", "nan", "Inf", "NaN",
            // Aggregation operators: may be followed by a grouping clause before their parenthesis.
            "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
            "quantile", "limitk", "limit_ratio");

    private PromQlMetricNames() {
    }

    static Set<String> of(String expression) {
        String rest = VARIABLE.matcher(expression).replaceAll(" ");
        rest = STRING.matcher(rest).replaceAll(" ");
        Matcher labelValues = LABEL_VALUES.matcher(rest);
        if (labelValues.find()) {
            rest = labelValues.group(1);
        }
        rest = LABEL_VALUES_ALONE.matcher(rest).replaceAll(" ");
        rest = MATCHERS.matcher(rest).replaceAll(" ");
        rest = RANGE.matcher(rest).replaceAll(" ");
        rest = LABEL_LIST.matcher(rest).replaceAll(" ");
        rest = DURATION.matcher(rest).replaceAll(" ");
        rest = NUMBER.matcher(rest).replaceAll(" ");
        Set<String> names = new LinkedHashSet<>();
        Matcher identifier = IDENTIFIER.matcher(rest);
        while (identifier.find()) {
            String name = identifier.group();
            int after = identifier.end();
            while (after < rest.length() && Character.isWhitespace(rest.charAt(after))) {
                after++;
            }
            boolean function = after < rest.length() && rest.charAt(after) == '(';
            if (!function && !KEYWORDS.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }
}
