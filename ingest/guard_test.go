package ingest

import (
	"net/netip"
	"testing"
)

func TestIsPublicIP(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ip     string
		public bool
	}{
		{"93.184.216.34", true},
		{"8.8.8.8", true},
		{"1.1.1.1", true},
		{"2606:4700:4700::1111", true},
		{"2a00:1450:4001:80b::200e", true},
		{"::ffff:8.8.8.8", true},    // IPv4-mapped public
		{"64:ff9b::808:808", true},  // NAT64 of 8.8.8.8
		{"2002:808:808::1", true},   // 6to4 of 8.8.8.8
		{"127.0.0.1", false},        // loopback
		{"127.255.255.254", false},  // loopback range
		{"10.1.2.3", false},         // RFC 1918
		{"172.16.0.1", false},       // RFC 1918
		{"172.31.255.255", false},   // RFC 1918
		{"172.32.0.1", true},        // just outside 172.16/12
		{"192.168.1.1", false},      // RFC 1918
		{"169.254.169.254", false},  // cloud metadata
		{"169.254.0.1", false},      // link-local
		{"100.64.0.1", false},       // CGNAT
		{"100.127.255.255", false},  // CGNAT
		{"100.128.0.1", true},       // just outside CGNAT
		{"0.0.0.0", false},          // unspecified
		{"0.1.2.3", false},          // this network
		{"224.0.0.1", false},        // multicast
		{"239.255.255.250", false},  // multicast
		{"255.255.255.255", false},  // broadcast
		{"240.0.0.1", false},        // reserved
		{"192.0.2.1", false},        // documentation
		{"198.18.0.1", false},       // benchmarking
		{"::1", false},              // IPv6 loopback
		{"::", false},               // IPv6 unspecified
		{"::ffff:127.0.0.1", false}, // IPv4-mapped loopback
		{"::ffff:169.254.169.254", false},
		{"::ffff:10.0.0.1", false},
		{"::127.0.0.1", false},         // IPv4-compatible loopback
		{"64:ff9b::7f00:1", false},     // NAT64 of loopback
		{"64:ff9b::a9fe:a9fe", false},  // NAT64 of metadata
		{"2002:7f00:1::1", false},      // 6to4 of loopback
		{"2002:a00:1::1", false},       // 6to4 of 10.0.0.1
		{"2001:0:4136:e378::1", false}, // Teredo
		{"fc00::1", false},             // ULA
		{"fd12:3456:789a::1", false},   // ULA
		{"fe80::1", false},             // link-local
		{"fe80::1%eth0", false},        // link-local with zone
		{"fec0::1", false},             // site-local
		{"ff02::1", false},             // multicast
		{"2001:db8::1", false},         // documentation
		{"100::1", false},              // discard
	}
	for _, tt := range tests {
		ip := netip.MustParseAddr(tt.ip)
		if got := isPublicIP(ip); got != tt.public {
			t.Errorf("isPublicIP(%s) = %v, want %v", tt.ip, got, tt.public)
		}
	}
	if isPublicIP(netip.Addr{}) {
		t.Error("isPublicIP(zero Addr) = true, want false")
	}
}

func TestGuardDialHook(t *testing.T) {
	t.Parallel()
	guard := dialGuard(nil)
	for _, addr := range []string{"127.0.0.1:80", "[::1]:443", "[::ffff:127.0.0.1]:80", "169.254.169.254:80", "not-an-address"} {
		if err := guard("tcp", addr, nil); err == nil {
			t.Errorf("guard(%s) = nil, want refusal", addr)
		}
	}
	if err := guard("tcp4", "93.184.216.34:443", nil); err != nil {
		t.Errorf("guard(public) = %v, want nil", err)
	}
}
