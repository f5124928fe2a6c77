package io.ingressgateway.resilience;

import io.ingressgateway.model.ExternalNamePolicy.Refusal;
import java.io.IOException;

/**
 * An ExternalName resolved to an address no upstream may have: the connection is not opened. Without a stack trace:
 * it is an answer, not a fault, and a client can cause one per request.
 */
public final class RefusedUpstreamAddressException extends IOException {

    private final transient Refusal refusal;

    RefusedUpstreamAddressException(String name, String address, Refusal refusal) {
        super("'" + name + "' resolved to " + address + ", " + refusal.describe() + ": not connected", null);
        this.refusal = refusal;
    }

    public Refusal refusal() {
        return refusal;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
