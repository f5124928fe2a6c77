package io.ingressgateway.model.policy;

import java.util.List;

/**
 * A text with nginx variables ({@code http://auth.example.com/check?host=$host&rd=$escaped_request_uri}), as
 * ingress-nginx lets the external authentication annotations contain: split at parse time into literal text and
 * variable names, each variable checked to be one the data plane knows, and filled in per request, never evaluated as
 * configuration.
 *
 * @param parts the literal texts and variables, in order
 */
public record NginxTemplate(List<Part> parts) {

    /**
     * One piece of the template.
     *
     * @param variable whether {@code text} names a variable (without {@code $} and braces) rather than being literal
     * @param text     the literal text, or the variable's name ({@code host}, {@code http_x_user})
     */
    public record Part(boolean variable, String text) {

        public static Part literal(String text) {
            return new Part(false, text);
        }

        public static Part variable(String name) {
            return new Part(true, name);
        }
    }

    public NginxTemplate {
        parts = List.copyOf(parts);
    }

    /** Whether the template holds no variable, so its text is the same for every request. */
    public boolean isLiteral() {
        return parts.stream().noneMatch(Part::variable);
    }

    /** The template as written ({@code $name} for each variable). */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (Part part : parts) {
            text.append(part.variable() ? "${" + part.text() + "}" : part.text());
        }
        return text.toString();
    }
}
