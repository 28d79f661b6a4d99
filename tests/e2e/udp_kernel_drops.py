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
    # The kernel stamps each datagram with the drop count when it queues it: one sent after the
    # drops tells the daemon. It must find room, so it goes once the daemon emptied the queue.
    wait_until("the daemon to read what was queued", lambda: udp_socket_stats(d.udp_port)[0] == 0)
    udp_send(d.udp_port, [line])
    received_key = 'messages_received_total{transport="udp"}'
    wait_until("every datagram received or counted as dropped", lambda: (
        d.metric(received_key) + d.metric("udp_kernel_drops_total") == SENT + 1), 20)
    counted = d.metric("udp_kernel_drops_total")
    _, dropped = udp_socket_stats(d.udp_port)
    check(counted == dropped, f"udp_kernel_drops_total {counted}, the kernel counted {dropped}")
    t.step(f"received {d.metric(received_key)}, udp_kernel_drops_total {counted}")


run(main)
