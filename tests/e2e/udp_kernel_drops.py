#!/usr/bin/env python3
"""Datagrams the kernel drops before ikewatchd reads them are counted in /metrics.

The daemon, with the smallest receive buffer, is stopped (SIGSTOP) while 3,000 datagrams arrive:
the buffer holds a few, the kernel drops the rest and counts them for the socket
(/proc/net/udp). Once the daemon runs again and reads the next datagram, its
udp_kernel_drops_total must equal the kernel's count, and what it received plus what the kernel
dropped must be every datagram sent.
"""

import signal

from lib import check, run, syslog_line, udp_send, udp_socket_stats, wait_until

SENT = 3000


def main(t):
    d = t.daemon(config="listen:\n  udp_receive_buffer: 4096\n")
    line = syslog_line("drops", "%ASA-6-302015: Built outbound UDP connection 1 for x")
    d.signal(signal.SIGSTOP)
    try:
        udp_send(d.udp_port, [line] * SENT)
        _, dropped = udp_socket_stats(d.udp_port)
        check(dropped > 0, "the kernel dropped nothing: the buffer was not small enough")
        t.step(f"{SENT} datagrams sent to the stopped daemon; the kernel dropped {dropped}")
    finally:
        d.signal(signal.SIGCONT)
    udp_send(d.udp_port, [line])  # the drop count comes with the next datagram read
    received_key = 'messages_received_total{transport="udp"}'
    wait_until("every datagram received or counted as dropped", lambda: (
        d.metric(received_key) + d.metric("udp_kernel_drops_total") == SENT + 1), 20)
    counted = d.metric("udp_kernel_drops_total")
    check(counted == dropped, f"udp_kernel_drops_total {counted}, the kernel counted {dropped}")
    t.step(f"received {d.metric(received_key)}, udp_kernel_drops_total {counted}")


run(main)
