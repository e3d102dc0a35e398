"""scripts/test_compat.py: the counts `make test-compat` records are the ones pytest reports."""

import os
import subprocess
import sys
import textwrap

from scripts.test_compat import junit_counts


def test_the_counts_are_read_from_the_report_pytest_writes(tmp_path):
    (tmp_path / "test_four.py").write_text(textwrap.dedent("""
        import pytest

        @pytest.fixture
        def broken():
            raise RuntimeError

        def test_passes():
            pass

        def test_fails():
            assert False

        def test_skipped():
            pytest.skip()

        def test_errors(broken):
            pass
    """))
    report = tmp_path / "report.xml"
    quick = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}  # the report is pytest's own; its plugins only slow it down
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}", "test_four.py"],
                   cwd=tmp_path, capture_output=True, env=quick)
    assert junit_counts(report) == {"passed": 1, "failed": 1, "errors": 1, "skipped": 1}
    assert junit_counts(tmp_path / "none.xml") == {"passed": 0, "failed": 0, "errors": 1, "skipped": 0}  # pytest never started
