#!/usr/bin/env python3
"""Replays every labelled case in tests/cases/ and scores ikewatch's diagnoses against the labels.

Each row of tests/cases/expected.tsv names a case file, a peer, the codes the source's stated cause
accepts (`healthy` for a working tunnel), the state the source shows, and a note. For every row:

- healthy: a false alarm is any alert above `info` raised for the peer, even one resolved later;
- failing: the diagnosis is the strongest alert raised for the peer (severity, then confidence,
  then the latest); it is right when its code is accepted, wrong otherwise, and missed when no
  alert above `info` was raised at all (a silent failure).

Everything is run twice: on the files as they are, and with every debug-level (severity 7) record
removed, as a firewall logging at informational level would have sent them.

Usage: accuracy.py [--ikewatch PATH] [--cases DIR] [--check FLOOR] [--verbose]
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile

REFERENCE = "2026-06-01T12:00:00Z"
RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
CONFIDENCE = {"low": 0, "medium": 1, "high": 2}


def read_rows(cases):
    rows = []
    with open(os.path.join(cases, "expected.tsv"), encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        if header[:5] != ["file", "peer", "codes", "state", "note"]:
            sys.exit("expected.tsv: the header must be: file peer codes state note")
        for n, line in enumerate(f, start=2):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < 5:
                sys.exit(f"expected.tsv:{n}: five tab-separated columns expected")
            rows.append({"file": cols[0], "peer": cols[1], "codes": cols[2].split("|"),
                         "state": cols[3], "note": cols[4], "line": n})
    return rows


def tags_of(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("# TAGS:"):
                return {t.strip() for t in line[len("# TAGS:"):].split(",") if t.strip()}
            if not line.startswith("#"):
                break
    return set()


def run(ikewatch, args):
    out = subprocess.run([ikewatch, *args, "--reference-time", REFERENCE],
                         capture_output=True, text=True, check=False)
    if out.returncode not in (0, 1):
        sys.exit(f"ikewatch {' '.join(args)} exited {out.returncode}: {out.stderr.strip()}")
    return [json.loads(l) for l in out.stdout.splitlines() if l.strip()]


def without_debug(ikewatch, path, tmp):
    """The case with every severity-7 record (with its continuation lines) removed."""
    records = run(ikewatch, ["parse", path])
    starts = sorted(r["line"] for r in records)
    debug = {r["line"] for r in records if r.get("severity") == 7}
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        lines = f.read().split("\n")
    drop = set()
    for i, first in enumerate(starts):
        if first in debug:
            end = starts[i + 1] if i + 1 < len(starts) else len(lines) + 1
            drop.update(range(first, end))
    kept = [line for n, line in enumerate(lines, start=1)
            if n not in drop or not line.strip() or line.startswith("#")]
    out = os.path.join(tmp, os.path.basename(path))
    with open(out, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write("\n".join(kept))
    return out


def score(ikewatch, rows, cases, strip_debug):
    files = sorted({r["file"] for r in rows})
    alerts, peers = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in files:
            path = os.path.join(cases, name)
            if strip_debug:
                path = without_debug(ikewatch, path, tmp)
            alerts[name] = [a for a in run(ikewatch, ["replay", "--format", "json", path])
                            if a["event"]["action"] == "raised"]
            peers[name] = run(ikewatch, ["peers", "--format", "json", path])
    silent = []
    for name in files:
        for p in peers[name]:
            if p["status"] != "failed":
                continue
            raised = [a for a in alerts[name] if a["rule"]["severity"] != "info"
                      and a["observer"]["hostname"] == p["device"]
                      and a.get("ike", {}).get("peer") == p["peer"]]
            if not raised:
                silent.append(f"{name}: {p['device']} {p['peer']} failed at {p['state']}")
    results = []
    for row in rows:
        want_peer = row["peer"]
        mine = [a for a in alerts[row["file"]]
                if want_peer == "-" or a.get("ike", {}).get("peer") == want_peer]
        above_info = [a for a in mine if a["rule"]["severity"] != "info"]
        states = [p for p in peers[row["file"]] if want_peer == "-" or p["peer"] == want_peer]
        result = {"row": row, "alerts": above_info,
                  "states": [(p["state"], p["state_ios"], p["status"]) for p in states]}
        if row["codes"] == ["healthy"]:
            result["verdict"] = "false-alarm" if above_info else "quiet"
        elif not above_info and not states and strip_debug:
            # Nothing about the peer is left in the input (a case made only of debug lines,
            # stripped): there is nothing to be silent about.
            result["verdict"] = "no-lines"
        elif not above_info:
            result["verdict"] = "missed"
        else:
            best = max(above_info, key=lambda a: (RANK[a["rule"]["severity"]],
                                                  CONFIDENCE[a["diagnosis"]["confidence"]],
                                                  a["@timestamp"]))
            result["diagnosis"] = best["diagnosis"]["code"]
            result["verdict"] = "right" if best["diagnosis"]["code"] in row["codes"] else "wrong"
            result["stated"] = best["diagnosis"]["code"] == row["codes"][0]
            result["any_right"] = any(a["diagnosis"]["code"] in row["codes"] for a in above_info)
        want_state = row["state"]
        result["state_right"] = None if want_state == "-" else any(
            want_state in (s[0], s[1]) for s in result["states"])
        result["tags"] = tags_of(os.path.join(cases, row["file"]))
        results.append(result)
    return results, silent


def summary(results):
    failing = [r for r in results if r["row"]["codes"] != ["healthy"]]
    healthy = [r for r in results if r["row"]["codes"] == ["healthy"]]
    count = collections.Counter(r["verdict"] for r in results)
    return {
        "failing": len(failing),
        "right": count["right"],
        "right_stated": sum(1 for r in failing if r.get("stated")),
        "no_lines": count["no-lines"],
        "wrong": count["wrong"],
        "missed": count["missed"],
        "healthy": len(healthy),
        "false_alarms": count["false-alarm"],
        "right_pct": round(100.0 * count["right"] / max(1, len(failing) - count["no-lines"]), 1),
    }


def per_code(results):
    table = collections.OrderedDict()
    for r in results:
        if r["verdict"] == "no-lines":
            continue
        code = r["row"]["codes"][0]
        t = table.setdefault(code, collections.Counter())
        t[r["verdict"]] += 1
        if r["verdict"] == "wrong":
            t["said:" + r["diagnosis"]] += 1
    return table


def per_tag(results, tags):
    out = []
    for tag in tags:
        sel = [r for r in results if tag in r["tags"]]
        if sel:
            s = summary(sel)
            out.append((tag, len({r["row"]["file"] for r in sel}), s))
    return out


def print_report(name, results, silent):
    s = summary(results)
    print(f"\n## {name}\n")
    left = s['failing'] - s['no_lines']
    print(f"Failing peers: {left}: right {s['right']} ({s['right_pct']} %; the stated cause "
          f"itself {s['right_stated']}, a generic code the source also bears out "
          f"{s['right'] - s['right_stated']}), wrong {s['wrong']}, missed (silent) {s['missed']}."
          + (f" {s['no_lines']} more have no line left about the peer." if s['no_lines'] else "")
          + f" Healthy peers: {s['healthy']}, with a false alarm: {s['false_alarms']}.")
    print(f"Peers the tracker ends as failed without an alert above info: {len(silent)}.\n")
    print("| stated cause (first accepted code) | peers | right | wrong (said instead) | missed |")
    print("|---|---|---|---|---|")
    for code, t in sorted(per_code(results).items()):
        n = sum(v for k, v in t.items() if not k.startswith("said:"))
        said = ", ".join(f"{k[5:]} ×{v}" for k, v in sorted(t.items()) if k.startswith("said:"))
        if code == "healthy":
            print(f"| healthy | {n} | {t['quiet']} quiet | {t['false-alarm']} false alarms | |")
        else:
            print(f"| {code} | {n} | {t['right']} | {t['wrong']}{' (' + said + ')' if said else ''} "
                  f"| {t['missed']} |")
    print("\n| class | files | failing right | wrong | missed | healthy false alarms |")
    print("|---|---|---|---|---|---|")
    for tag, files, t in per_tag(results, ["asa", "ftd", "pix", "ios", "iosxe", "ikev1", "ikev2",
                                           "debug", "syslog", "info-only", "pasted", "show",
                                           "natt"]):
        print(f"| {tag} | {files} | {t['right']}/{t['failing']} | {t['wrong']} | {t['missed']} "
              f"| {t['false_alarms']}/{t['healthy']} |")
    known = [r for r in results if r["state_right"] is not None]
    if known:
        print(f"\nFinal state as the source shows it: {sum(1 for r in known if r['state_right'])}"
              f" of {len(known)} peers.")


def print_details(results, silent):
    for line in silent:
        print(f"  silent      {line}")
    for r in results:
        if r["verdict"] in ("right", "quiet", "no-lines"):
            continue
        row = r["row"]
        said = ", ".join(sorted({a["diagnosis"]["code"] for a in r["alerts"]})) or "nothing"
        print(f"  {r['verdict']:11} {row['file']} {row['peer']}: want {'|'.join(row['codes'])}, "
              f"said {said}; state {r['states']}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser()
    ap.add_argument("--ikewatch", default=os.environ.get(
        "IKEWATCH", os.path.join(root, "build", "debug", "cli", "ikewatch")))
    ap.add_argument("--cases", default=os.path.join(root, "tests", "cases"))
    ap.add_argument("--check", help="fail when below the figures in this JSON file")
    ap.add_argument("--verbose", action="store_true", help="list every case not right")
    args = ap.parse_args()

    rows = read_rows(args.cases)
    for row in rows:
        if not os.path.exists(os.path.join(args.cases, row["file"])):
            sys.exit(f"expected.tsv:{row['line']}: no such case file: {row['file']}")
    listed = {r["file"] for r in rows}
    unlisted = sorted(f for f in os.listdir(args.cases)
                      if f.endswith((".log", ".txt")) and f not in listed)
    if unlisted:
        sys.exit("case files without a row in expected.tsv: " + ", ".join(unlisted))

    full, full_silent = score(args.ikewatch, rows, args.cases, strip_debug=False)
    stripped, stripped_silent = score(args.ikewatch, rows, args.cases, strip_debug=True)
    print(f"# ikewatch accuracy on {len({r['file'] for r in rows})} case files, {len(rows)} peers")
    print_report("As logged", full, full_silent)
    if args.verbose:
        print_details(full, full_silent)
    print_report("With every debug-level (severity 7) line removed", stripped, stripped_silent)
    if args.verbose:
        print_details(stripped, stripped_silent)

    if args.check:
        with open(args.check, encoding="utf-8") as f:
            floor = json.load(f)
        a, b = summary(full), summary(stripped)
        problems = []
        if a["right"] < floor["right"]:
            problems.append(f"right diagnoses fell to {a['right']} (recorded {floor['right']})")
        if a["false_alarms"] > floor["false_alarms"]:
            problems.append(f"false alarms on healthy cases rose to {a['false_alarms']} "
                            f"(recorded {floor['false_alarms']})")
        if a["missed"] > floor["missed"]:
            problems.append(f"silent failures rose to {a['missed']} (recorded {floor['missed']})")
        if b["right"] < floor["right_without_debug"]:
            problems.append(f"right diagnoses without debug lines fell to {b['right']} "
                            f"(recorded {floor['right_without_debug']})")
        if b["missed"] > floor["missed_without_debug"]:
            problems.append(f"silent failures without debug lines rose to {b['missed']} "
                            f"(recorded {floor['missed_without_debug']})")
        if len(full_silent) + len(stripped_silent) > floor["tracker_silent"]:
            problems.append(f"peers failed without an alert rose to "
                            f"{len(full_silent) + len(stripped_silent)} "
                            f"(recorded {floor['tracker_silent']})")
        if b["false_alarms"] > floor["false_alarms_without_debug"]:
            problems.append(f"false alarms without debug lines rose to {b['false_alarms']} "
                            f"(recorded {floor['false_alarms_without_debug']})")
        for p in problems:
            print("accuracy: " + p, file=sys.stderr)
        if problems:
            sys.exit(1)
        print("\naccuracy: at or above the recorded figures")


if __name__ == "__main__":
    main()
