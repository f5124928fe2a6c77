package io.ingressgateway.model;

/** One ready address of an upstream: a pod IP (or an ExternalName's DNS name) and a port. */
public record Endpoint(String address, int port) {

    @Override
    public String toString() {
        return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
    }
}
