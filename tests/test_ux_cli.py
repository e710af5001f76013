"""The CLI never shows a traceback: options checked before any work, every error one numbered line and an
exit code, ``--on-error skip|fail``, warnings as one log line, ``cache info|clear``, English on stderr."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import warnings

import pytest

from kompasstext import cli
from kompasstext.commands import common

from conftest import CORPUS


def run(argv, capsys):
    rc = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def one_error_line(err: str, code: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith(f"kompasstext: [{code}] "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def mixed(tmp_path):
    """The bundled reports plus a stray text file and an empty one."""
    for f in CORPUS.glob("*.txt"):
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "notes.txt").write_text("Att göra: ringa Anna.\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    return tmp_path


@pytest.fixture
def no_work(monkeypatch):
    """Fail the test if a command starts reading reports (options must be checked before)."""
    def boom(*a, **k):
        raise AssertionError("read before the options were checked")

    monkeypatch.setattr("kompasstext.corpus.read_corpus", boom)
    monkeypatch.setattr(common, "read_reports", boom)


@pytest.mark.parametrize("argv, code, rc, needle", [
    (["themes", CORPUS, "--cut-quantile", "3"], "E030", 2, "--cut-quantile"),
    (["themes", CORPUS, "--cut-quantile", "abc"], "E030", 2, "--cut-quantile"),
    (["report", CORPUS, "--themes", "/no/such/model"], "E032", 2, "--themes"),
    (["examples", "", CORPUS], "E033", 2, "QUERY"),
    (["examples", " ?! ", CORPUS], "E033", 2, "QUERY"),
    (["examples", "chefskontrakt", CORPUS, "--top", "0"], "E030", 2, "--top"),
    (["examples", "chefskontrakt", CORPUS, "--area", "9"], "E030", 2, "--area"),
    (["report", CORPUS, "-o", "/no/such/folder/themes.html"], "E031", 3, "--out"),
    (["report", CORPUS, "--examples", "-1"], "E030", 2, "--examples"),
    (["parse", CORPUS, "--format", "nope"], "E030", 2, "--format"),
    (["parse", CORPUS, "--on-error", "maybe"], "E030", 2, "--on-error"),
    (["frobnicate"], "E030", 2, "frobnicate"),
])
def test_bad_options_fail_fast_in_one_line(argv, code, rc, needle, capsys, no_work):
    t0 = time.perf_counter()
    got, out, err = run(argv, capsys)
    assert got == rc
    assert needle in one_error_line(err, code)
    assert time.perf_counter() - t0 < 5


def test_theme_model_folder_of_another_format(tmp_path, capsys, no_work):
    (tmp_path / "model.json").write_text('{"format": 1}', encoding="utf-8")
    rc, _, err = run(["report", CORPUS, "--themes", tmp_path], capsys)
    assert rc == 2 and "format 1" in one_error_line(err, "E032")


def test_missing_path(tmp_path, capsys):
    rc, _, err = run(["parse", tmp_path / "missing.txt"], capsys)
    assert rc == 1
    one_error_line(err, "E004")


def test_on_error_skip_lists_skipped_files(mixed, capsys):
    rc, out, err = run(["parse", mixed, "--json"], capsys)
    assert rc == 0 and out.lstrip().startswith("[")
    head = [ln for ln in err.splitlines() if "W150" in ln]
    assert len(head) == 1 and head[0].startswith("kompasstext: warning: [W150] 2 file(s) skipped")
    assert "notes.txt" in err and "[E003]" in err and "empty.txt" in err and "[E001]" in err
    assert "Traceback" not in err


def test_on_error_fail_stops_with_the_first_error(mixed, capsys):
    rc, out, err = run(["parse", mixed, "--on-error", "fail"], capsys)
    assert rc == 1 and out == ""
    assert "empty.txt" in one_error_line(err, "E001")


def test_no_report_left(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("inte en rapport\n", encoding="utf-8")
    rc, _, err = run(["parse", tmp_path], capsys)
    assert rc == 1
    assert "[E034]" in err.splitlines()[-1] and "Traceback" not in err


def test_quiet_silences_warnings(mixed, capsys):
    rc, out, err = run(["parse", mixed, "--quiet"], capsys)
    assert rc == 0 and out and err == ""


def test_internal_error_is_one_line_and_debug_shows_it(monkeypatch, capsys):
    from kompasstext.commands import parse

    def broken(args):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(parse, "run", broken)
    rc, _, err = run(["parse", CORPUS], capsys)
    assert rc == 70 and "ZeroDivisionError" in one_error_line(err, "E036") and "--debug" in err
    with pytest.raises(ZeroDivisionError):
        cli.main(["--debug", "parse", str(CORPUS)])


def test_warnings_are_one_log_line_without_source(monkeypatch, capsys):
    from kompasstext.commands import parse

    def warns(args):
        warnings.warn("something odd\nsecond line", RuntimeWarning, stacklevel=1)
        return 0

    monkeypatch.setattr(parse, "run", warns)
    rc, _, err = run(["parse", CORPUS], capsys)
    assert rc == 0
    assert err.splitlines() == ["kompasstext: warning: RuntimeWarning: something odd"]


def test_exit_codes_match_the_catalogue():
    from kompasstext.errors import MESSAGES

    for code in ("E030", "E031", "E032", "E033", "E034", "E035", "E036", "W150"):
        assert code in MESSAGES
    assert [common.exit_code(c) for c in ("E003", "E034", "E030", "E031", "E201", "E035", "E036")] == \
        [1, 1, 2, 3, 4, 130, 70]


def test_cache_info_and_clear(tmp_path, monkeypatch, capsys):
    home = tmp_path / "home"
    (home / "models" / "m").mkdir(parents=True)
    (home / "models" / "m" / "w.bin").write_bytes(b"x" * 2048)
    (home / "embeddings").mkdir()
    (home / "embeddings" / "e.sqlite").write_bytes(b"y" * 1024)
    (home / "mine.txt").write_text("not kompasstext's", encoding="utf-8")
    monkeypatch.setenv("KOMPASSTEXT_HOME", str(home))
    rc, out, err = run(["cache", "info"], capsys)
    assert rc == 0 and str(home) in out and "KOMPASSTEXT_HOME" in out
    assert "2.0 KB" in out and "1.0 KB" in out and "3.0 KB" in out
    rc, out, _ = run(["cache", "clear", "--only", "embeddings"], capsys)
    assert rc == 0 and not (home / "embeddings").exists() and (home / "models").exists()
    rc, out, _ = run(["cache", "clear"], capsys)
    assert rc == 0 and not (home / "models").exists() and (home / "mine.txt").exists()


def test_progress_off_without_terminal_and_with_quiet(monkeypatch):
    from kompasstext import progress

    monkeypatch.delenv(progress.ENV, raising=False)
    monkeypatch.delenv("CI", raising=False)
    assert progress.enabled() is False  # pytest captures stderr: not a terminal
    monkeypatch.setenv(progress.ENV, "1")
    assert progress.enabled() and not common.progress_enabled(type("A", (), {"quiet": True})())
    monkeypatch.setenv("CI", "true")
    monkeypatch.delenv(progress.ENV)
    assert progress.enabled() is False


def test_real_process_has_no_traceback(tmp_path):
    """The installed entry point, as a user runs it."""
    env = dict(os.environ, PYTHONWARNINGS="default")
    p = subprocess.run([sys.executable, "-m", "kompasstext.cli", "themes", str(tmp_path / "nothing"),
                        "--cut-quantile", "3"], capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 2 and p.stdout == ""
    one_error_line(p.stderr, "E030")


@pytest.mark.slow
def test_report_skips_a_stray_file_and_speaks_english(mixed, tmp_path, capsys):
    out_html = tmp_path / "out" / "r.html"
    out_html.parent.mkdir()
    rc, out, err = run(["report", mixed, "-o", out_html], capsys)
    assert rc == 0 and out_html.is_file() and out.strip() == str(out_html)
    assert "[W150] 2 file(s) skipped" in err and "notes.txt" in err
    assert "linking to sub-questions" in err and "4 reports" in err
    for swedish in ("läsa", "kopplingar", "teman:", "poäng och matris", "exempel:"):
        assert swedish not in err, err
    assert "Traceback" not in err


def test_unknown_municipality_before_the_model_work(capsys):
    t0 = time.perf_counter()
    rc, _, err = run(["report", CORPUS, "--municipality", "Atlantis", "-o", os.devnull], capsys)
    assert rc == 2 and "Atlantis" in one_error_line(err, "E006")
    assert time.perf_counter() - t0 < 10  # refused after reading, before links and themes


def test_interrupt_is_one_line_and_exit_130(monkeypatch, capsys):
    from kompasstext.commands import parse

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(parse, "run", interrupted)
    rc, _, err = run(["parse", CORPUS], capsys)
    assert rc == 130
    one_error_line(err, "E035")


def test_folder_without_reports(tmp_path, capsys):
    rc, _, err = run(["themes", tmp_path], capsys)
    assert rc == 1
    one_error_line(err, "E005")


def test_reading_with_a_bar_gives_the_same_corpus(mixed, monkeypatch, capsys, caplog):
    from kompasstext import progress
    from kompasstext.cli import build_parser

    args = build_parser().parse_args(["parse", str(mixed)])
    monkeypatch.setenv(progress.ENV, "0")
    plain = common.read_reports(args)
    monkeypatch.setenv(progress.ENV, "1")
    monkeypatch.setattr(common, "READ_BAR_MIN", 2)
    monkeypatch.setattr("kompasstext.corpus.PARALLEL_MIN_FILES", 2)  # several chunks
    barred = common.read_reports(args)
    assert [r.to_dict() for r in barred] == [r.to_dict() for r in plain] and len(plain) == 4
    assert "reading" in capsys.readouterr().err
    assert [r.getMessage().count("[W150] 2 file(s) skipped") for r in caplog.records] == [1, 1]
