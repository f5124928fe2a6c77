package io.ingressgateway.model;

import java.util.List;

/**
 * Where two lists differ, by reference: the longest common start and end of elements that are the very same objects,
 * and the middle parts that are left. The translator hands unchanged parts of a model over as the same instances in
 * the same order (see {@link RouteModel}), and sources hand unchanged objects over as the same instances too, so a
 * change to one Ingress leaves a long common start and end and a short middle: consumers look at the middle only,
 * instead of hashing every element of both lists.
 *
 * <p>An element of the middle may still be in both middles (a virtual host that moved because another was inserted
 * before it); callers compare the middles by identity. Elements outside the middles are the same objects at the same
 * distance from the start or the end of both lists.
 *
 * @param prefix how many elements both lists start with
 * @param suffix how many elements both lists end with (not overlapping the prefix in either list)
 */
public record IdentityDiff(int prefix, int suffix) {

    public static IdentityDiff between(List<?> before, List<?> after) {
        return between(before, after, false);
    }

    /** Whether two lists hold the very same objects in the same order. */
    public static boolean sameObjects(List<?> before, List<?> after) {
        if (before == after) {
            return true;
        }
        if (before.size() != after.size()) {
            return false;
        }
        for (int i = 0; i < before.size(); i++) {
            if (before.get(i) != after.get(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@link #between}, also counting equal elements as common: for lists whose elements are mostly the same objects
     * but a few equal ones are made anew each time (a value like the not-found route's definition).
     */
    public static IdentityDiff betweenEqual(List<?> before, List<?> after) {
        return between(before, after, true);
    }

    private static IdentityDiff between(List<?> before, List<?> after, boolean equal) {
        int shorter = Math.min(before.size(), after.size());
        int prefix = 0;
        while (prefix < shorter && same(before.get(prefix), after.get(prefix), equal)) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < shorter - prefix
                && same(before.get(before.size() - 1 - suffix), after.get(after.size() - 1 - suffix), equal)) {
            suffix++;
        }
        return new IdentityDiff(prefix, suffix);
    }

    private static boolean same(Object a, Object b, boolean equal) {
        return a == b || (equal && a != null && a.equals(b));
    }

    /** The elements of {@code list} (one of the two compared) between the common start and end. */
    public <T> List<T> middle(List<T> list) {
        return list.subList(prefix, list.size() - suffix);
    }
}
