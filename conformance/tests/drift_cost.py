#!/usr/bin/env python3
"""What --drift adds to a run against the in-process mock: the suite timed with and
without it, interleaved (so that load from elsewhere falls on both alike), medians and
their ratio. Not a ctest: figures for docs/conformance.md.

usage: drift_cost.py CONFORMANCE_BINARY [RUNS]
"""
import statistics
import subprocess
import sys
import time

binary = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 15
times = {"without": [], "with": []}
for _ in range(runs):
    for name, args in (("without", []), ("with", ["--drift"])):
        start = time.perf_counter()
        subprocess.run([binary, "-r", "compact", *args], capture_output=True, check=True)
        times[name].append(time.perf_counter() - start)
without, with_drift = (statistics.median(times[n]) for n in ("without", "with"))
print(f"{runs} runs each, interleaved: median {without * 1000:.1f} ms without --drift, "
      f"{with_drift * 1000:.1f} ms with; added {(with_drift - without) * 1000:.1f} ms, "
      f"ratio {with_drift / without:.2f}")
for name, values in times.items():
    print(f"{name:8}", " ".join(f"{v * 1000:.0f}" for v in values))
