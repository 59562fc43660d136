"""`callcenter simulate` as a user runs it."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from callcenter.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "acd" / "scenarios" / "day.yaml"


def run(capsys, *argv):
    rc = main(["simulate", *argv])
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_options_mode_prints_summary_beside_erlang(capsys):
    rc, out, err = run(capsys, "--agents", "8", "--rate", "120", "--aht", "180", "--patience", "90",
                       "--duration", "2h", "--seed", "3")
    assert rc == 0
    assert "Per queue (simulated | Erlang C | Erlang A" in out
    assert "Per interval" in out and "00:00" in out and "01:00" in out
    assert "ErlA aband" in out
    assert err == ""          # no progress bar when stderr is not a terminal


def test_json_and_csv_outputs(capsys):
    rc, out, _ = run(capsys, "--agents", "6", "--rate", "90", "--aht", "200", "--duration", "1h", "--json")
    assert rc == 0
    data = json.loads(out)
    q = data["queues"][0]
    assert q["queue"] == "queue" and q["offered"] > 0
    assert 0 <= q["sl"] <= 1 and q["erlang_c_sl"] is not None
    assert data["intervals"][0]["start"] == "00:00"
    rc, out, _ = run(capsys, "--agents", "6", "--rate", "90", "--aht", "200", "--duration", "1h", "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["scope"] for r in rows] == ["queue", "total", "interval"]
    assert float(rows[0]["erlang_a_sl"]) > 0


def test_scenario_file(capsys):
    rc, out, _ = run(capsys, "--scenario", str(EXAMPLE), "--duration", "3h", "--no-intervals")
    assert rc == 0
    assert "billing" in out and "support" in out and "sales" in out
    assert "Per interval" not in out


def test_scenario_errors_name_file_and_line(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("queues:\n  - name: q\n    rate: 10\n    handle_time: {distribution: gamma, mean: 3}\n"
                   "agents:\n  - count: 1\n    queues: {q: 0}\n")
    with pytest.raises(SystemExit) as ei:
        main(["simulate", "--scenario", str(bad)])
    msg = str(ei.value)
    assert f"{bad}:4:" in msg and "queues[0].handle_time.distribution" in msg and "gamma" in msg

    broken = tmp_path / "broken.yaml"
    broken.write_text("queues: [\n  - x\n")
    with pytest.raises(SystemExit) as ei:
        main(["simulate", "--scenario", str(broken)])
    assert "invalid YAML" in str(ei.value) and str(broken) in str(ei.value)

    with pytest.raises(SystemExit) as ei:
        main(["simulate", "--scenario", str(tmp_path / "missing.yaml")])
    assert "cannot read scenario" in str(ei.value)


def test_bad_options(capsys):
    with pytest.raises(SystemExit) as ei:
        main(["simulate", "--duration", "soon"])
    assert "--duration" in str(ei.value)
    with pytest.raises(SystemExit) as ei:
        main(["simulate", "--agents", "0"])
    assert "--agents must be > 0" in str(ei.value)
    with pytest.raises(SystemExit) as ei:
        main(["simulate", "--strategy", "fastest", "--duration", "10m"])
    assert "unknown strategy" in str(ei.value)


def test_overloaded_erlang_wait_prints_inf_in_every_format(capsys):
    args = ("--agents", "5", "--rate", "400", "--aht", "180", "--duration", "1h")
    rc, out, _ = run(capsys, *args)
    assert rc == 0
    queue_row = next(line for line in out.splitlines() if line.startswith("queue ") and "offered" not in line)
    assert queue_row.split().count("inf") == 2            # ErlC ASA and ErlA ASA (callers never hang up)
    assert " 0.0s" not in queue_row
    assert "Erlang ASA inf = overloaded" in out and "queue in 1 interval(s)" in out
    assert "Erl N" in out
    rc, out, _ = run(capsys, *args, "--json")
    data = json.loads(out)
    q, row = data["queues"][0], data["intervals"][0]
    assert q["erlang_c_asa"] is None and q["overloaded"] is True and q["overloaded_intervals"] == 1
    assert row["erlang_c_asa"] is None and row["overloaded"] is True and row["erlang_agents"] == 5
    rc, out, _ = run(capsys, *args, "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["erlang_c_asa"] == "inf" and rows[0]["overloaded"] == "true"
    assert rows[2]["erlang_c_asa"] == "inf" and rows[2]["agents"] == "5.0"


def test_stable_queue_is_not_marked_overloaded(capsys):
    rc, out, _ = run(capsys, "--agents", "8", "--rate", "120", "--aht", "180", "--duration", "1h")
    assert rc == 0 and "overloaded" not in out and "inf" not in out
