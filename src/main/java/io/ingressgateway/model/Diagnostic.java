package io.ingressgateway.model;

/**
 * Something wrong with an Ingress (or an object it refers to) that the translator worked around.
 *
 * @param severity {@code WARNING}: part of the Ingress is not served; {@code ERROR}: none of it is
 * @param field    the field it concerns, as a JSON path into the Ingress ({@code spec.rules[0].http.paths[1]})
 * @param message  what is wrong and what the gateway does instead
 */
public record Diagnostic(Severity severity, String field, String message) {

    public enum Severity { WARNING, ERROR }

    public static Diagnostic warning(String field, String message) {
        return new Diagnostic(Severity.WARNING, field, message);
    }

    public static Diagnostic error(String field, String message) {
        return new Diagnostic(Severity.ERROR, field, message);
    }

    @Override
    public String toString() {
        return severity + " " + field + ": " + message;
    }
}
