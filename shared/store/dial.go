package store

import (
	"net"
	"time"
)

// dialer opens connections that notice a dead peer by themselves: TCP
// keepalive probes an idle connection every few seconds, and (on Linux)
// TCP_USER_TIMEOUT drops one whose sent data stays unacknowledged, so a
// database that vanished from the network does not leave a pooled
// connection hanging until the kernel's default of about 15 minutes.
func dialer(connect time.Duration) *net.Dialer {
	return &net.Dialer{
		Timeout: connect,
		KeepAliveConfig: net.KeepAliveConfig{
			Enable:   true,
			Idle:     5 * time.Second,
			Interval: 2 * time.Second,
			Count:    3,
		},
		Control: userTimeout(5 * time.Second),
	}
}
