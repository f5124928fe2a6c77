package io.ingressgateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetainedObjectsTest {

    /** Only this test creates these. */
    static final class Marker {
    }

    @Test
    void countsReachableInstancesAndForgetsCollectedOnes() {
        List<Marker> held = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            held.add(new Marker());
        }
        assertThat(RetainedObjects.count(Marker.class.getName())).isEqualTo(7);

        held.subList(0, 5).clear();
        assertThat(RetainedObjects.count(Marker.class.getName())).isEqualTo(2);
        assertThat(held).hasSize(2); // keeps the list reachable until here
    }

    @Test
    void aClassWithoutInstancesCountsZero() {
        assertThat(RetainedObjects.count("io.ingressgateway.support.NoSuchClass")).isZero();
    }
}
