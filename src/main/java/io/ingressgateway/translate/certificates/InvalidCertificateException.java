package io.ingressgateway.translate.certificates;

/** A certificate or key that cannot be served; the message says what is wrong, for a diagnostic. */
public class InvalidCertificateException extends Exception {

    public InvalidCertificateException(String message) {
        super(message);
    }

    public InvalidCertificateException(String message, Throwable cause) {
        super(message, cause);
    }
}
