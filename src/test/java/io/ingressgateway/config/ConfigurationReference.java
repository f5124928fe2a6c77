package io.ingressgateway.config;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import tools.jackson.databind.json.JsonMapper;

/**
 * docs/configuration.md, written from Spring Boot's configuration metadata (what spring-boot-configuration-processor
 * writes at compile time from the {@link IngressGatewayProperties} record tree: names, types, the javadoc
 * {@code @param} sentences, the {@code @DefaultValue}s; META-INF/additional-spring-configuration-metadata.json is
 * merged into it by the processor) and from application.yaml, which overrides the record defaults when the gateway
 * runs. {@link #problems()} lists what would make the document wrong or incomplete: a property without description or
 * default, an application.yaml key the metadata does not know, a default application.yaml and the record disagree on.
 */
final class ConfigurationReference {

    static final String PREFIX = "ingress-gateway";
    static final String REGENERATE =
            "./mvnw -B -o test -Dtest=ConfigurationReferenceTest -Dconfiguration.doc.write=true";

    /** One {@code ingress-gateway.*} property as the metadata describes it; {@code recordDefault} may be null. */
    record Property(String name, String type, String description, String sourceType, Object recordDefault) {
    }

    /** A metadata group: the properties of one record of the tree ({@code sourceMethod} is its accessor). */
    record Group(String name, String type, String sourceType, String sourceMethod) {
    }

    private final List<Group> groups;
    private final List<Property> properties;
    private final Map<String, Object> yamlValues = new LinkedHashMap<>();
    private final List<String> unknownYamlKeys = new ArrayList<>();

    private ConfigurationReference(List<Group> groups, List<Property> properties, Map<?, ?> yamlRoot) {
        this.groups = groups;
        this.properties = properties;
        Object ours = yamlRoot == null ? null : yamlRoot.get(PREFIX);
        if (ours instanceof Map<?, ?> tree) {
            flatten(PREFIX, tree);
        } else if (ours != null) {
            unknownYamlKeys.add(PREFIX);
        }
    }

    /**
     * @param metadataJson    content of META-INF/spring-configuration-metadata.json
     * @param applicationYaml content of application.yaml
     */
    @SuppressWarnings("unchecked")
    static ConfigurationReference of(String metadataJson, String applicationYaml) {
        Map<String, Object> metadata = JsonMapper.builder().build().readValue(metadataJson, Map.class);
        List<Group> groups = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) metadata.getOrDefault("groups", List.of())) {
            String name = (String) group.get("name");
            if (ours(name)) {
                groups.add(new Group(name, (String) group.get("type"), (String) group.get("sourceType"),
                        (String) group.get("sourceMethod")));
            }
        }
        List<Property> properties = new ArrayList<>();
        for (Map<String, Object> property
                : (List<Map<String, Object>>) metadata.getOrDefault("properties", List.of())) {
            String name = (String) property.get("name");
            if (ours(name)) {
                properties.add(new Property(name, (String) property.get("type"),
                        (String) property.get("description"), (String) property.get("sourceType"),
                        property.get("defaultValue")));
            }
        }
        Object yaml = new Yaml(new SafeConstructor(new LoaderOptions())).load(applicationYaml);
        return new ConfigurationReference(groups, properties, yaml instanceof Map<?, ?> map ? map : Map.of());
    }

    private static boolean ours(String name) {
        return name != null && (name.equals(PREFIX) || name.startsWith(PREFIX + "."));
    }

    /** Dotted keys of application.yaml down to a known property (whose value may be a list or map) or a leaf. */
    private void flatten(String path, Map<?, ?> tree) {
        for (Map.Entry<?, ?> entry : tree.entrySet()) {
            String key = path + "." + entry.getKey();
            if (property(key) != null) {
                yamlValues.put(key, entry.getValue());
            } else if (entry.getValue() instanceof Map<?, ?> subtree && isGroupOrUnder(key)) {
                flatten(key, subtree);
            } else {
                unknownYamlKeys.add(key);
            }
        }
    }

    private boolean isGroupOrUnder(String key) {
        return groups.stream().anyMatch(group -> group.name().equals(key));
    }

    private Property property(String name) {
        return properties.stream().filter(property -> property.name().equals(name)).findFirst().orElse(null);
    }

    List<Property> properties() {
        return properties;
    }

    /** What makes the document wrong or incomplete, one sentence each; empty when it can be written as is. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (properties.isEmpty()) {
            problems.add("the configuration metadata has no " + PREFIX + ".* property: is"
                    + " spring-boot-configuration-processor running as an annotation processor?");
        }
        for (String key : unknownYamlKeys) {
            problems.add("application.yaml sets " + key + ", which is no property of IngressGatewayProperties"
                    + " (a typo, or a key left behind; write it in kebab-case as the metadata names it)");
        }
        for (Property property : properties) {
            if (property.description() == null || property.description().isBlank()) {
                problems.add(property.name() + " has no description: add an @param sentence for it to the javadoc"
                        + " of " + simpleName(property.sourceType()));
            }
            boolean inYaml = yamlValues.containsKey(property.name());
            if (!inYaml && property.recordDefault() == null) {
                problems.add(property.name() + " has no default the metadata knows: set it in application.yaml"
                        + " (with a comment saying why)");
            }
            if (inYaml && property.recordDefault() == null && !isCollection(property.type())) {
                // The processor records every @DefaultValue except an empty collection's; without one the record
                // holds null or 0 wherever application.yaml is not loaded.
                problems.add(property.name() + " has no @DefaultValue in " + simpleName(property.sourceType())
                        + ": give it the value application.yaml sets");
            }
            if (inYaml && property.recordDefault() != null) {
                String yaml = comparable(yamlValues.get(property.name()));
                String record = comparable(property.recordDefault());
                if (!yaml.equals(record)) {
                    problems.add(property.name() + " defaults to " + yaml + " in application.yaml but to " + record
                            + " in the @DefaultValue of " + simpleName(property.sourceType())
                            + ": make them agree, so the default does not depend on which file is loaded");
                }
            }
            Class<?> element = listElementRecord(property.type());
            if (element != null && property.description() != null) {
                for (RecordComponent component : element.getRecordComponents()) {
                    String field = kebab(component.getName());
                    if (!property.description().contains(field)) {
                        problems.add(property.name() + " is a list of " + element.getSimpleName()
                                + "; its description must show the element's shape, field " + field + " included");
                    }
                }
            }
        }
        return problems;
    }

    /** The Markdown document: a table per group (property, type, default, description) in the record tree's order. */
    String markdown() {
        StringBuilder doc = new StringBuilder();
        doc.append("# Configuration reference\n\n");
        doc.append("<!-- Generated from the configuration metadata of IngressGatewayProperties and from"
                + " application.yaml; do not edit.\n");
        doc.append("     Regenerate with: ").append(REGENERATE).append(" -->\n\n");
        doc.append("Every `ingress-gateway.*` property, grouped as the record tree of `IngressGatewayProperties`"
                + " nests them. Set them in `application.yaml` (the Helm chart writes its `config` values to"
                + " `/config/application.yaml` in the pod) or in"
                + " any Spring Boot property source: an environment variable (`INGRESSGATEWAY_LISTENER_BACKLOG` for"
                + " `ingress-gateway.listener.backlog`: dots become underscores, dashes go, upper case) or"
                + " `--key=value` on the command line.\n\n");
        doc.append("Types: a *duration* is a number with a unit (`500ms`, `10s`, `5m`, `1h`); a *data size* a"
                + " number with a unit (`512B`, `8KB`, `1MB`); a *list* is a YAML list (or comma-separated in an"
                + " environment variable). The default is what the gateway runs with when the key is not set:"
                + " `application.yaml`'s value, equal to the record's `@DefaultValue` (a test keeps them equal).\n\n");
        List<Group> ordered = orderedGroups();
        doc.append("Groups: ");
        doc.append(ordered.stream()
                .map(group -> "[" + heading(group) + "](#" + anchor(heading(group)) + ")")
                .collect(Collectors.joining(", ")));
        doc.append(".\n");
        for (Group group : ordered) {
            List<Property> rows = properties.stream()
                    .filter(property -> group.name().equals(groupOf(property.name())))
                    .sorted(Comparator.comparingInt(this::declarationIndex).thenComparing(Property::name))
                    .toList();
            if (rows.isEmpty()) {
                continue;
            }
            doc.append("\n").append(depth(group) <= 1 ? "## " : "### ").append(heading(group)).append("\n\n");
            doc.append("| Property | Type | Default | Description |\n");
            doc.append("|---|---|---|---|\n");
            for (Property property : rows) {
                doc.append("| `").append(property.name()).append("` | ")
                        .append(cell(typeText(property.type()))).append(" | ")
                        .append(cell(defaultText(property))).append(" | ")
                        .append(cell(sentence(property.description()))).append(" |\n");
            }
        }
        return doc.toString();
    }

    /** The top level first, then each group in declaration order, a nested group right after its parent. */
    private List<Group> orderedGroups() {
        Group root = groups.stream().filter(group -> group.name().equals(PREFIX)).findFirst()
                .orElse(new Group(PREFIX, IngressGatewayProperties.class.getName(), null, null));
        List<Group> ordered = new ArrayList<>();
        addWithChildren(root, ordered);
        // A group the walk did not reach (no record source) still gets its table, at the end.
        groups.stream().filter(group -> !ordered.contains(group)).forEach(ordered::add);
        return ordered;
    }

    private void addWithChildren(Group parent, List<Group> ordered) {
        ordered.add(parent);
        groups.stream()
                .filter(group -> parent.name().equals(parentName(group.name())))
                .sorted(Comparator.comparingInt(
                                (Group group) -> componentIndex(parent.type(), lastSegment(group.name())))
                        .thenComparing(Group::name))
                .forEach(child -> addWithChildren(child, ordered));
    }

    private static String parentName(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? null : name.substring(0, dot);
    }

    private static String lastSegment(String name) {
        return name.substring(name.lastIndexOf('.') + 1);
    }

    private static int depth(Group group) {
        return (int) group.name().chars().filter(c -> c == '.').count();
    }

    private static String heading(Group group) {
        return group.name().equals(PREFIX) ? "Top level" : "`" + group.name() + "`";
    }

    /** GitHub's heading anchor: lower case, punctuation other than dashes dropped, spaces to dashes. */
    static String anchor(String heading) {
        return heading.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 -]", "").replace(' ', '-');
    }

    /** The longest group name the property is directly under. */
    private String groupOf(String propertyName) {
        return groups.stream().map(Group::name)
                .filter(name -> propertyName.startsWith(name + ".")
                        && propertyName.indexOf('.', name.length() + 1) < 0)
                .findFirst().orElse(parentName(propertyName));
    }

    private int declarationIndex(Property property) {
        return componentIndex(property.sourceType(), lastSegment(property.name()));
    }

    /** Position of the record component named {@code kebabName} in {@code recordType}, so tables follow the source. */
    private static int componentIndex(String recordType, String kebabName) {
        Class<?> type = load(recordType);
        if (type == null || !type.isRecord()) {
            return Integer.MAX_VALUE;
        }
        RecordComponent[] components = type.getRecordComponents();
        for (int i = 0; i < components.length; i++) {
            if (kebab(components[i].getName()).equals(kebabName)) {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    private static Class<?> load(String name) {
        if (name == null) {
            return null;
        }
        try {
            return Class.forName(name, false, ConfigurationReference.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    private static String simpleName(String type) {
        return type == null ? "its record" : type.substring(type.lastIndexOf('.') + 1).replace('$', '.');
    }

    // ---- types -----------------------------------------------------------------------------------------------

    static String typeText(String type) {
        if (type == null) {
            return "";
        }
        String generic = genericArgument(type, "java.util.List<");
        if (generic != null) {
            Class<?> element = load(generic);
            if (element != null && element.isRecord()) {
                return "list of `{" + Arrays.stream(element.getRecordComponents())
                        .map(component -> kebab(component.getName())).collect(Collectors.joining(", ")) + "}`";
            }
            return "list of " + plural(typeText(generic));
        }
        String map = genericArgument(type, "java.util.Map<");
        if (map != null) {
            int comma = map.indexOf(',');
            return "map of " + typeText(map.substring(0, comma).trim()) + " to "
                    + typeText(map.substring(comma + 1).trim());
        }
        switch (type) {
            case "java.lang.String":
                return "string";
            case "java.lang.Integer", "java.lang.Long", "int", "long":
                return "integer";
            case "java.lang.Float", "java.lang.Double", "float", "double":
                return "number";
            case "java.lang.Boolean", "boolean":
                return "boolean";
            case "java.time.Duration":
                return "duration";
            case "org.springframework.util.unit.DataSize":
                return "data size";
            case "java.nio.file.Path":
                return "path";
            default:
                break;
        }
        Class<?> loaded = load(type);
        if (loaded != null && loaded.isEnum()) {
            return Arrays.stream(loaded.getEnumConstants())
                    .map(constant -> "`" + ((Enum<?>) constant).name().toLowerCase(Locale.ROOT).replace('_', '-') + "`")
                    .collect(Collectors.joining(" \\| "));
        }
        return "`" + type.substring(type.lastIndexOf('.') + 1).replace('$', '.') + "`";
    }

    private static String genericArgument(String type, String prefix) {
        return type.startsWith(prefix) && type.endsWith(">")
                ? type.substring(prefix.length(), type.length() - 1) : null;
    }

    private static String plural(String text) {
        return text.startsWith("`") || text.contains(" ") ? text : text + "s";
    }

    private static boolean isCollection(String type) {
        return type != null && (type.startsWith("java.util.List<") || type.startsWith("java.util.Set<")
                || type.startsWith("java.util.Map<"));
    }

    private static Class<?> listElementRecord(String type) {
        String element = type == null ? null : genericArgument(type, "java.util.List<");
        Class<?> loaded = load(element);
        return loaded != null && loaded.isRecord() ? loaded : null;
    }

    // ---- defaults ---------------------------------------------------------------------------------------------

    /** application.yaml's value when it sets the key (that is what runs), else the record's default. */
    private String defaultText(Property property) {
        Object value = yamlValues.containsKey(property.name())
                ? yamlValues.get(property.name()) : property.recordDefault();
        if (value == null) {
            return "";
        }
        if (value instanceof Collection<?> list) {
            return list.isEmpty() ? "empty" : list.stream().map(item -> "`" + item + "`")
                    .collect(Collectors.joining(", "));
        }
        if (value instanceof Map<?, ?> map) {
            return map.isEmpty() ? "empty" : "`" + map + "`";
        }
        String text = String.valueOf(value);
        if (text.isEmpty()) {
            return "empty";
        }
        if (text.startsWith("[") && text.endsWith("]")) {
            // The processor writes a list @DefaultValue as one string, "[a, b]".
            String inner = text.substring(1, text.length() - 1).trim();
            return inner.isEmpty() ? "empty" : Arrays.stream(inner.split(","))
                    .map(item -> "`" + item.trim() + "`").collect(Collectors.joining(", "));
        }
        return "`" + text + "`";
    }

    /** One spelling for a value from YAML and from the metadata: lists as {@code [a, b]}, numbers without ".0". */
    private static String comparable(Object value) {
        if (value instanceof Collection<?> list) {
            return list.stream().map(ConfigurationReference::comparable).collect(Collectors.joining(", ", "[", "]"));
        }
        if (value instanceof Double || value instanceof Float) {
            double number = ((Number) value).doubleValue();
            return number == Math.rint(number) ? String.valueOf((long) number) : String.valueOf(number);
        }
        return Objects.toString(value, "");
    }

    // ---- descriptions -----------------------------------------------------------------------------------------

    /** The javadoc fragment as a Markdown sentence: {@code {@code x}} as code, capital first letter, final stop. */
    static String sentence(String javadoc) {
        if (javadoc == null || javadoc.isBlank()) {
            return "";
        }
        String text = inlineTags(javadoc.trim().replaceAll("\\s+", " "));
        if (!text.isEmpty() && Character.isLowerCase(text.charAt(0))) {
            text = Character.toUpperCase(text.charAt(0)) + text.substring(1);
        }
        return text.endsWith(".") ? text : text + ".";
    }

    /** {@code {@code x}} and {@code {@literal x}} to `x`, {@code {@link T label}} to its label (else T). */
    private static String inlineTags(String text) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            int start = text.indexOf("{@", i);
            if (start < 0) {
                out.append(text, i, text.length());
                break;
            }
            out.append(text, i, start);
            int depth = 0;
            int end = start;
            for (; end < text.length(); end++) {
                char c = text.charAt(end);
                if (c == '{') {
                    depth++;
                } else if (c == '}' && --depth == 0) {
                    break;
                }
            }
            String tag = text.substring(start + 2, Math.min(end, text.length()));
            int space = tag.indexOf(' ');
            String name = space < 0 ? tag : tag.substring(0, space);
            String body = space < 0 ? "" : tag.substring(space + 1).trim();
            if (name.equals("code") || name.equals("literal")) {
                out.append('`').append(body).append('`');
            } else if (name.startsWith("link")) {
                int labelAt = body.indexOf(' ');
                out.append(labelAt < 0 ? body.substring(body.lastIndexOf('.') + 1) : body.substring(labelAt + 1));
            } else {
                out.append(body);
            }
            i = end + 1;
        }
        return out.toString();
    }

    private static String cell(String text) {
        // A pipe inside a cell would end it; escaped pipes already in the text stay as they are.
        return text.replaceAll("(?<!\\\\)\\|", "\\\\|").replace("\n", " ");
    }
}
