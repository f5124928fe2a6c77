package io.ingressgateway.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.informers.cache.Store;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SortedMirrorTest {

    @Test
    void listsByNamespaceThenNameLikeASortedSnapshot() {
        MapStore store = new MapStore();
        for (String key : List.of("b/x", "a-x/c", "a/z", "a/b", "b/a")) {
            store.put(service(key, "1"));
        }
        SortedMirror<Service> mirror = new SortedMirror<>();
        mirror.seed(store);

        List<Service> expected = new ArrayList<>(store.list());
        expected.sort(SnapshotDelivery.BY_NAMESPACE_AND_NAME);
        assertThat(mirror.list()).containsExactlyElementsOf(expected);
        assertThat(mirror.list()).extracting(s -> s.getMetadata().getNamespace() + "/" + s.getMetadata().getName())
                .containsExactly("a/b", "a/z", "a-x/c", "b/a", "b/x");
    }

    @Test
    void staleAndReorderedEventsStillConvergeToTheStore() {
        Random random = new Random(3);
        MapStore store = new MapStore();
        SortedMirror<Service> mirror = new SortedMirror<>();
        List<Service> events = new ArrayList<>();
        for (int step = 0; step < 2000; step++) {
            String key = "ns" + random.nextInt(3) + "/svc" + random.nextInt(20);
            if (random.nextInt(3) == 0) {
                Service removed = store.remove(key);
                if (removed != null) {
                    events.add(removed);
                }
            } else {
                Service updated = service(key, Integer.toString(step));
                store.put(updated);
                events.add(updated);
            }
            if (step == 700) {
                mirror.seed(store); // the initial list arrives while events are still queued
            }
            // Handlers run late and out of order: whatever object an event carries, the mirror reads the store.
            if (random.nextInt(4) == 0 && !events.isEmpty()) {
                Collections.shuffle(events, random);
                for (Service event : events) {
                    mirror.refresh(store, event);
                }
                events.clear();
            }
        }
        for (Service event : events) {
            mirror.refresh(store, event);
        }

        List<Service> expected = new ArrayList<>(store.list());
        expected.sort(SnapshotDelivery.BY_NAMESPACE_AND_NAME);
        assertThat(mirror.list()).containsExactlyElementsOf(expected);
    }

    private static Service service(String key, String resourceVersion) {
        String[] parts = key.split("/");
        return new ServiceBuilder().withNewMetadata().withNamespace(parts[0]).withName(parts[1])
                .withResourceVersion(resourceVersion).endMetadata().build();
    }

    /** An informer store: the latest object per namespace/name. */
    private static final class MapStore implements Store<Service> {
        private final Map<String, Service> objects = new LinkedHashMap<>();

        void put(Service service) {
            objects.put(getKey(service), service);
        }

        Service remove(String key) {
            return objects.remove(key);
        }

        @Override
        public List<Service> list() {
            return new ArrayList<>(objects.values());
        }

        @Override
        public List<String> listKeys() {
            return new ArrayList<>(objects.keySet());
        }

        @Override
        public Service get(Service object) {
            return objects.get(getKey(object));
        }

        @Override
        public Service getByKey(String key) {
            return objects.get(key);
        }

        @Override
        public String getKey(Service object) {
            return object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
        }
    }
}
