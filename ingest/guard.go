package ingest

import (
	"errors"
	"fmt"
	"net/netip"
	"syscall"
)

// ErrPrivateAddress means a URL led to an address that is not on the public
// internet (loopback, private, link-local, metadata, multicast, ...), and
// private addresses were not allowed (FetchOptions.AllowPrivate).
var ErrPrivateAddress = errors.New("address is not public")

// nonPublic lists IP ranges that a fetch for a stranger must never reach.
// IPv4-mapped IPv6 addresses are unmapped before they are checked.
var nonPublic = []netip.Prefix{
	// IPv4
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network", unspecified
	netip.MustParsePrefix("10.0.0.0/8"),      // RFC 1918
	netip.MustParsePrefix("100.64.0.0/10"),   // CGNAT, RFC 6598
	netip.MustParsePrefix("127.0.0.0/8"),     // loopback
	netip.MustParsePrefix("169.254.0.0/16"),  // link-local, cloud metadata
	netip.MustParsePrefix("172.16.0.0/12"),   // RFC 1918
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // TEST-NET-1
	netip.MustParsePrefix("192.88.99.0/24"),  // 6to4 relay anycast
	netip.MustParsePrefix("192.168.0.0/16"),  // RFC 1918
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3
	netip.MustParsePrefix("224.0.0.0/4"),     // multicast
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
	// IPv6 inside 2000::/3 (everything outside it is refused anyway)
	netip.MustParsePrefix("2001::/32"),     // Teredo: hides an IPv4 address
	netip.MustParsePrefix("2001:2::/48"),   // benchmarking
	netip.MustParsePrefix("2001:10::/28"),  // ORCHID
	netip.MustParsePrefix("2001:20::/28"),  // ORCHIDv2
	netip.MustParsePrefix("2001:db8::/32"), // documentation
	netip.MustParsePrefix("3fff::/20"),     // documentation
}

var (
	globalUnicast6 = netip.MustParsePrefix("2000::/3")
	sixToFour      = netip.MustParsePrefix("2002::/16")
	nat64          = netip.MustParsePrefix("64:ff9b::/96")
)

// isPublicIP reports whether ip is a public unicast address that a fetch on
// behalf of a stranger may connect to. It is false for loopback, private
// (RFC 1918, IPv6 ULA fc00::/7), link-local (169.254.0.0/16 including cloud
// metadata, fe80::/10), CGNAT (100.64.0.0/10), multicast, unspecified,
// broadcast, documentation and other reserved ranges; IPv4-mapped,
// IPv4-compatible, 6to4 and NAT64 forms are judged by the IPv4 address they
// carry. IPv6 addresses outside global unicast 2000::/3 are never public.
// Safe for concurrent use.
func isPublicIP(ip netip.Addr) bool {
	if !ip.IsValid() {
		return false
	}
	ip = ip.WithZone("").Unmap()
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64.Contains(ip):
			return isPublicIP(netip.AddrFrom4([4]byte(b[12:16])))
		case sixToFour.Contains(ip):
			return isPublicIP(netip.AddrFrom4([4]byte(b[2:6])))
		case !globalUnicast6.Contains(ip):
			// ::/96 (unspecified, loopback, IPv4-compatible), ULA, link-local,
			// site-local, multicast, discard and the rest of the unassigned space.
			return false
		}
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// dialGuard returns a net.Dialer Control hook that refuses non-public
// addresses. It runs after name resolution, for every connection attempt
// (first request, each redirect, each address of a multi-address host), so
// neither redirects nor DNS rebinding can slip past it. except, if not nil,
// admits particular addresses (tests use it for their own server).
func dialGuard(except func(netip.AddrPort) bool) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("dial %s %s: %w", network, address, ErrPrivateAddress)
		}
		if !isPublicIP(ap.Addr()) && (except == nil || !except(ap)) {
			return fmt.Errorf("dial %s: %w", ap.Addr(), ErrPrivateAddress)
		}
		return nil
	}
}
