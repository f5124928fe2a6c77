package io.ingressgateway.gateway.client;

import io.ingressgateway.model.IpAddresses;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Walks a forwarded-for chain ({@code X-Forwarded-For: client, proxy1, proxy2}) from the right, as nginx's realip
 * module does with {@code real_ip_recursive on}: starting from the trusted peer that sent it, each address is taken as
 * the client in turn, and the walk goes on leftwards only while that address is a trusted proxy's too. The client is
 * the first untrusted address from the right, or the leftmost when all are trusted. An entry that is not an IP address
 * ends the walk where it stands: what lies left of it was written by someone no trusted proxy vouches for.
 */
public final class ForwardedForChain {

    private ForwardedForChain() {
    }

    /**
     * @param sender  the trusted peer the header came from
     * @param values  every value of the header, in the order received (several header lines are one chain)
     * @param proxies which addresses are trusted proxies
     * @return the client's address: {@code sender} itself when the chain names no address
     */
    public static InetAddress client(InetAddress sender, List<String> values, TrustedProxies proxies) {
        InetAddress client = sender;
        for (int line = values.size() - 1; line >= 0; line--) {
            String[] entries = values.get(line).split(",");
            for (int i = entries.length - 1; i >= 0; i--) {
                String entry = entries[i].trim();
                if (entry.isEmpty()) {
                    continue;
                }
                InetAddress address = literal(entry);
                if (address == null) {
                    return client;
                }
                client = address;
                if (!proxies.trusts(address)) {
                    return client;
                }
            }
        }
        return client;
    }

    /** An IP literal (IPv6 optionally in brackets, never a name: nothing is looked up), else null. */
    static InetAddress literal(String text) {
        byte[] bytes = IpAddresses.parse(text);
        if (bytes == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null; // only for a wrong length, which parse never gives
        }
    }
}
