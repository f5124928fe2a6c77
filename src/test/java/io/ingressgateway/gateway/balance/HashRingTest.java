package io.ingressgateway.gateway.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.Endpoint;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The consistent-hash ring: keys spread evenly, and a removed or added endpoint moves only its share of keys. */
class HashRingTest {

    private static final int KEYS = 10_000;

    private static List<Endpoint> endpoints(int count) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            endpoints.add(new Endpoint("10.0.0." + (i + 1), 8080));
        }
        return endpoints;
    }

    private static Endpoint[] owners(List<Endpoint> endpoints) {
        HashRing ring = new HashRing(endpoints);
        Endpoint[] owners = new Endpoint[KEYS];
        for (int k = 0; k < KEYS; k++) {
            owners[k] = endpoints.get(ring.owner(HashRing.hash("user-" + k)));
        }
        return owners;
    }

    @Test
    void removingOneOfTenEndpointsMovesOnlyTheKeysItOwnedAboutATenth() {
        List<Endpoint> ten = endpoints(10);
        Endpoint[] before = owners(ten);
        Endpoint removed = ten.get(3);
        List<Endpoint> nine = new ArrayList<>(ten);
        nine.remove(removed);
        Endpoint[] after = owners(nine);

        int moved = 0;
        for (int k = 0; k < KEYS; k++) {
            if (!before[k].equals(after[k])) {
                moved++;
                // Only keys of the removed endpoint move: a key on a surviving endpoint stays there.
                assertThat(before[k]).isEqualTo(removed);
            } else {
                assertThat(after[k]).isNotEqualTo(removed);
            }
        }
        assertThat(moved).isBetween(KEYS / 20, KEYS * 3 / 20);
    }

    @Test
    void addingAnEndpointTakesAboutItsShareFromTheOthersAndMovesNothingElse() {
        List<Endpoint> ten = endpoints(10);
        Endpoint[] before = owners(ten);
        List<Endpoint> eleven = endpoints(11);
        Endpoint added = eleven.get(10);
        Endpoint[] after = owners(eleven);

        int moved = 0;
        for (int k = 0; k < KEYS; k++) {
            if (!before[k].equals(after[k])) {
                moved++;
                assertThat(after[k]).isEqualTo(added);
            }
        }
        assertThat(moved).isBetween(KEYS / 22, KEYS * 3 / 22);
    }

    @Test
    void keysSpreadEvenlyOverTheEndpoints() {
        List<Endpoint> ten = endpoints(10);
        Endpoint[] owners = owners(ten);
        for (Endpoint endpoint : ten) {
            long owned = java.util.Arrays.stream(owners).filter(endpoint::equals).count();
            // A tenth each, within a generous bound.
            assertThat(owned).as("keys of %s", endpoint).isBetween(KEYS / 20L, KEYS * 2L / 10);
        }
    }

    @Test
    void theEndpointsOrderDoesNotChangeAnyOwner() {
        List<Endpoint> ten = endpoints(10);
        List<Endpoint> shuffled = new ArrayList<>(ten);
        Collections.shuffle(shuffled, new Random(7));
        Endpoint[] sorted = owners(ten);
        Endpoint[] reordered = owners(shuffled);

        assertThat(reordered).containsExactly(sorted);
    }

    @Test
    void oneEndpointOwnsEveryKey() {
        HashRing ring = new HashRing(endpoints(1));

        assertThat(ring.owner(0)).isZero();
        assertThat(ring.owner(-1)).isZero();
        assertThat(ring.owner(HashRing.hash("anything"))).isZero();
    }
}
