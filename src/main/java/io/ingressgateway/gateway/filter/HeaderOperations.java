package io.ingressgateway.gateway.filter;

import io.ingressgateway.model.policy.HeaderPolicy.HeaderOperation;
import java.util.List;
import org.springframework.http.HttpHeaders;

/** Applies a {@link io.ingressgateway.model.policy.HeaderPolicy}'s operations, in order, to writable headers. */
final class HeaderOperations {

    private HeaderOperations() {
    }

    static void apply(List<HeaderOperation> operations, HttpHeaders headers) {
        for (HeaderOperation operation : operations) {
            switch (operation.action()) {
                case SET -> headers.set(operation.name(), operation.value());
                case ADD -> headers.add(operation.name(), operation.value());
                case REMOVE -> headers.remove(operation.name());
                case DEFAULT -> {
                    if (!headers.containsHeader(operation.name())) {
                        headers.set(operation.name(), operation.value());
                    }
                }
            }
        }
    }
}
