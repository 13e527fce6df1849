package io.github.longpollchat.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An IP address or a CIDR range of them, IPv4 or IPv6: the shape of {@code trusted-proxies}. Also
 * the one way text becomes an IP address here: literals only, so that no header a client sends
 * can make the server look a name up in DNS.
 */
public final class IpRange {
    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private final byte[] network;
    private final int prefix;

    private IpRange(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
    }

    /**
     * An IP address written as a literal ({@code 192.0.2.1}, {@code 2001:db8::1}), or null for
     * anything else: a host name, an IPv4 address in a short or octal form, an IPv6 zone.
     * An IPv4-mapped IPv6 address is its IPv4 one.
     */
    public static InetAddress literal(String text) {
        try {
            if (IPV4.matcher(text).matches()) {
                return InetAddress.getByName(text);
            }
            if (IPV6.matcher(text).matches()) {
                // In brackets Java takes it for an IPv6 literal or nothing, and never asks DNS.
                return InetAddress.getByName("[" + text + "]");
            }
        } catch (UnknownHostException e) {
            return null;
        }
        return null;
    }

    /** The ranges of a setting that {@link #check} let through: comma-separated; empty for none. */
    public static List<IpRange> parse(String setting) {
        List<IpRange> ranges = new ArrayList<>();
        if (!setting.isBlank()) {
            for (String item : setting.split(",", -1)) {
                ranges.add(of(item.strip()));
            }
        }
        return ranges;
    }

    /** @return the ranges, each as {@code address/prefix}, comma-separated; empty for none */
    static String check(String raw, String source) {
        List<String> shown = new ArrayList<>();
        if (!raw.isBlank()) {
            for (String item : raw.split(",", -1)) {
                IpRange range = of(item.strip());
                if (range == null) {
                    throw new SettingsException(source + ": '" + item.strip()
                            + "' is not an IP address or CIDR range (192.0.2.1, 10.0.0.0/8, 2001:db8::/32)");
                }
                shown.add(range.toString());
            }
        }
        return String.join(",", shown);
    }

    /** @return the range, host bits cleared; null when the text is none */
    private static IpRange of(String text) {
        int slash = text.indexOf('/');
        InetAddress address = literal(slash < 0 ? text : text.substring(0, slash));
        if (address == null) {
            return null;
        }
        byte[] bytes = address.getAddress();
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String length = text.substring(slash + 1);
            if (!length.matches("\\d{1,3}") || Integer.parseInt(length) > bits) {
                return null;
            }
            prefix = Integer.parseInt(length);
        }
        for (int bit = prefix; bit < bits; bit++) {
            bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return new IpRange(bytes, prefix);
    }

    public boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length != network.length) {
            return false;
        }
        for (int bit = 0; bit < prefix; bit++) {
            int mask = 0x80 >>> (bit % 8);
            if ((bytes[bit / 8] & mask) != (network[bit / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of 4 or 16 bytes", e);
        }
    }
}
