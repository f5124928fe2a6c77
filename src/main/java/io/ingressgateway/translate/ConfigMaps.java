package io.ingressgateway.translate;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.ingressgateway.model.IdentityDiff;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The ConfigMaps of one snapshot by {@code namespace/name}; the first of a name wins. */
final class ConfigMaps {

    static final ConfigMaps NONE = new ConfigMaps(List.of());

    private final List<ConfigMap> list;
    private final Map<String, ConfigMap> byName = new HashMap<>();

    ConfigMaps(List<ConfigMap> list) {
        this.list = list;
        for (ConfigMap configMap : list) {
            if (configMap != null && configMap.getMetadata() != null && configMap.getMetadata().getName() != null) {
                byName.putIfAbsent(IngressOrder.namespace(configMap) + "/" + configMap.getMetadata().getName(),
                        configMap);
            }
        }
    }

    /** Whether these are the ConfigMaps of a snapshot holding {@code configMaps}: the very same objects. */
    boolean sameAs(List<ConfigMap> configMaps) {
        return IdentityDiff.sameObjects(list, configMaps);
    }

    Map<String, ConfigMap> byName() {
        return byName;
    }
}
