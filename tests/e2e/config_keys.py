#!/usr/bin/env python3
"""The configuration's keys on a real ikewatchd (config/config_schema.cpp holds them).

  reload     SIGHUP applies what the key table marks reloadable (listen.max_message_size, over
             UDP and TCP alike) and keeps the rest (workers, alerts.queue) at the running value,
             naming those keys in a warning.
  reference  `ikewatchd --config-reference` lists every key once, as `=json` does, and refuses
             another format.

Usage: config_keys.py [reload|reference]... (default: both)
"""

import json
import signal
import subprocess
import sys

from lib import check, run, syslog_line, tcp_send, udp_send

CONFIG = """\
listen:
  max_message_size: {size}
workers: {workers}
alerts:
  queue: {queue}
"""


def truncated(d, transport):
    return d.metric(f'messages_truncated_total{{transport="{transport}"}}')


def received(d, transport):
    return d.metric(f'messages_received_total{{transport="{transport}"}}')


def send_both(d, size):
    """One message of `size` bytes over UDP and one over TCP; returns once both are read."""
    udp_before, tcp_before = received(d, "udp"), received(d, "tcp")
    message = syslog_line("keys", "x" * size)
    udp_send(d.udp_port, [message.encode()])
    tcp_send(d.tcp_port, [message])
    d.wait_metric('messages_received_total{transport="udp"}', udp_before + 1)
    d.wait_metric('messages_received_total{transport="tcp"}', tcp_before + 1)


def reload(t):
    d = t.daemon(name="reload", config=CONFIG.format(size="1KiB", workers=1, queue=100))
    send_both(d, 2000)
    check(truncated(d, "udp") == 1 and truncated(d, "tcp") == 1,
          "a 2000-byte message was not cut at max_message_size 1KiB")

    t.step("max_message_size 4KiB, workers 2, alerts.queue 5; SIGHUP")
    with open(d.config_path, "w") as f:
        f.write(CONFIG.format(size="4KiB", workers=2, queue=5))
    d.signal(signal.SIGHUP)
    d.wait_metric('reloads_total{result="ok"}', 1)
    check("changed keys take effect at the next restart: alerts.queue, workers" in d.stderr(),
          "the keys that wait for a restart are not named:\n" + d.stderr())
    send_both(d, 2000)
    check(truncated(d, "udp") == 1 and truncated(d, "tcp") == 1,
          "max_message_size 4KiB was not applied on SIGHUP")
    send_both(d, 5000)
    check(truncated(d, "udp") == 2 and truncated(d, "tcp") == 2,
          "a 5000-byte message was not cut at max_message_size 4KiB")

    t.step("SIGHUP again: workers and alerts.queue still run with the values of the start")
    d.signal(signal.SIGHUP)
    d.wait_metric('reloads_total{result="ok"}', 2)
    check(d.stderr().count("take effect at the next restart: alerts.queue, workers") == 2,
          "the second reload did not name workers and alerts.queue again: their running "
          "values were replaced by the file's")


def reference(t):
    def ask(*args):
        return subprocess.run([t.ikewatchd, *args], capture_output=True, text=True, timeout=30)

    text = ask("--config-reference")
    check(text.returncode == 0, f"--config-reference exited {text.returncode}: {text.stderr}")
    blocks = text.stdout.rstrip("\n").split("\n\n")
    keys = [b.split("\n")[0] for b in blocks]
    check(len(keys) == len(set(keys)), "a key is listed twice")
    for block in blocks:
        fields = [line.split(":", 1)[0].strip() for line in block.split("\n")[1:]]
        check(fields == ["type", "default", "limits", "reloadable", "description"],
              f"block not in the stable format:\n{block}")
    as_json = ask("--config-reference=json")
    check(as_json.returncode == 0, f"--config-reference=json exited {as_json.returncode}")
    check([k["key"] for k in json.loads(as_json.stdout)] == keys,
          "text and JSON list different keys")
    for key in ("listen.udp", "log.level", "forwarders[].url", "allow_root"):
        check(key in keys, f"{key} missing from --config-reference")
    check(ask("--config-reference=xml").returncode != 0, "--config-reference=xml accepted")


if __name__ == "__main__":
    steps = {"reload": reload, "reference": reference}
    chosen = sys.argv[1:] or list(steps)

    def main(t):
        for name in chosen:
            t.step(name)
            steps[name](t)

    run(main)
