"""The benchmarks of issue 10 still run (on small sizes) and report what the
targets are judged by. Nothing here is timed: the figures belong to
docs/performance.md, measured with the full sizes on a quiet machine."""
import os
import re
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def run(*args, timeout=600):
    done = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def last_value(out, name):
    return float(re.findall(rf"^{name}=([\d.]+)", out, re.M)[-1])


@pytest.fixture(scope="module")
def small_db(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('bench')}/small.db"
    out = run("bench/generate.py", url, "--small")
    assert "/s/sheng/c/yaowen/ has 1,000 items" in out
    return url


def test_r80_sweep_bench_reports_ratio_and_a_query_count_independent_of_size(small_db, tmp_path):
    out = run("bench/sweep.py", small_db, "--runs", "1")
    counts = [int(n.replace(",", "")) for n in re.findall(r"^query count\s+(\d+) at", out, re.M)]
    assert len(counts) == 2 and counts[0] == counts[1]  # the same dataset size twice here: equal
    assert last_value(out, "sweep_vs_floor") > 0


def test_r84_outbox_bench_sends_a_notice_to_1001_people_in_two_wecom_calls():
    out = run("bench/outbox.py", "--people", "1001", "--reminders", "1001", "--rounds", "1")
    assert re.search(r"^wecom_calls_for_notice=2 \(floor 2\) for 1,001 recipients", out, re.M), out
    assert re.search(r"sent 4,004, retry 0, failed 0", out), out
    assert last_value(out, "outbox_vs_floor") > 0


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk (Debian package) not installed")
def test_web_bench_runs_every_endpoint_cached_and_uncached(small_db):
    out = run("bench/web.py", small_db, "--duration", "1", "--warmup", "1", "--connections", "2")
    for label in ("home", "column page 1", "column page 500", "item", "dashboard"):
        assert len(re.findall(rf"^{label}\s+(on|off)\s", out, re.M)) == 2, out
    assert "errors:" not in out, out
    for cache in ("off", "on"):  # every worker's memory was read after the run
        four = ", ".join([r"\d+ MB"] * 4)
        assert re.search(rf"^worker RSS, cache {cache}: {four} \(private: {four}\)$", out, re.M), out
    for name in ("dashboard_uncached_vs_floor", "dashboard_vs_floor", "web_uncached_min_vs_floor", "web_min_vs_floor"):
        assert last_value(out, name) > 0
