#!/bin/sh
# udhcpc-hook.sh - the lab's DHCP client hook (udhcpc -s): prints the lease
# and applies it to the interface and the default route of the namespace it
# runs in; it writes no file (the host's /etc/resolv.conf stays as it is).
case "$1" in
bound|renew)
    echo "lease: $ip/$mask from $serverid for $lease s, router $router, name server $dns"
    ip addr add "$ip/$mask" dev "$interface" 2>/dev/null
    if [ -n "$router" ]; then
        ip route replace default via "${router%% *}" dev "$interface"
    fi
    ;;
esac
exit 0
