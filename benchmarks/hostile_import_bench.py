"""Benchmark: peak memory of `relance import` on hostile and very large files.

Run: python benchmarks/hostile_import_bench.py [--csv-gb 1.0]
Each import runs in its own `relance` process; its peak resident memory (ru_maxrss from
wait4) and wall time are printed with the first line it wrote. Target: every peak under
500 MB, hostile files refused with one clear line, the largest accepted file imported.

Cases:
- a 1.5 MB `.xlsx` padded with spaces (about 1.5 GB once unpacked),
- an `.xlsx` whose one cell holds a megabyte of spaces (under the unpacked cap),
- a 1 GB CSV (refused above the documented size cap, MAX_FILE_BYTES),
- `/dev/zero` and a FIFO (refused: not regular files),
- the largest accepted files: MAX_ROWS realistic rows (imported, then imported again: every
  row compared), two files of MAX_CELLS cells (40 and 100 columns, dry runs), and a workbook
  of MAX_ROWS rows updating every invoice of the first file (dry run).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.imports.reader import MAX_CELLS, MAX_FILE_BYTES, MAX_ROWS  # noqa: E402
from benchmarks.hostile_files import big_csv, largest_xlsx, padded_xlsx, wide_csv  # noqa: E402
from benchmarks.import_bench import generate  # noqa: E402

LIMIT_MB = 500


def run(home: Path, *args: str) -> tuple[float, float, int, str]:
    """(seconds, peak MB, exit code, first line of output) of one `relance` process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RELANCE_", "OPENAI_"))}
    env["PYTHONPATH"] = str(ROOT)
    cmd = [sys.executable, "-m", "assistant", "--home", str(home), *args]
    began = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    assert proc.stdout is not None
    output = proc.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - began
    first = next((line for line in output.splitlines() if line.strip()), "")
    return elapsed, usage.ru_maxrss / 1024, proc.returncode, first


def report(label: str, result: tuple[float, float, int, str]) -> bool:
    elapsed, peak, code, first = result
    ok = peak < LIMIT_MB
    print(f"{label:<44} {elapsed:7.2f} s  peak {peak:6.0f} MB  exit {code}  "
          f"{'OK' if ok else 'OVER ' + str(LIMIT_MB) + ' MB'}")  # fmt: skip
    print(f"    {first[:150]}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--csv-gb", type=float, default=1.0)
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        home = base / "home"
        print("baseline `relance init`:")
        ok &= report("  init", run(home, "init"))

        bomb = base / "bomb.xlsx"
        padded_xlsx(bomb, 1536 * 1024 * 1024)
        print(f"hostile XLSX: {bomb.stat().st_size / 1e6:.1f} MB, ~1.5 GB of spaces unpacked")
        ok &= report("  import invoices bomb.xlsx", run(home, "import", "invoices", str(bomb)))

        cell = base / "cell.xlsx"
        padded_xlsx(cell, 1024 * 1024, in_cell=True)
        print(f"XLSX with one cell of 1 MB of spaces: {cell.stat().st_size / 1e3:.0f} kB")
        ok &= report("  import invoices cell.xlsx", run(home, "import", "invoices", str(cell)))

        huge = base / "huge.csv"
        began = time.perf_counter()
        big_csv(huge, int(args.csv_gb * 1024**3))
        print(
            f"CSV of {huge.stat().st_size / 1024**3:.2f} GiB written in "
            f"{time.perf_counter() - began:.0f} s (cap {MAX_FILE_BYTES / 1024**2:.0f} MiB)"
        )
        ok &= report("  import invoices huge.csv", run(home, "import", "invoices", str(huge)))
        huge.unlink()

        print("not regular files:")
        ok &= report("  import invoices /dev/zero", run(home, "import", "invoices", "/dev/zero"))
        fifo = base / "fifo.csv"
        os.mkfifo(fifo)
        ok &= report("  import invoices fifo.csv", run(home, "import", "invoices", str(fifo)))

        accepted = base / "accepted"
        run(accepted, "init")
        largest = base / "largest.csv"
        generate(largest, MAX_ROWS, MAX_ROWS // 10)
        print(f"largest accepted: {MAX_ROWS:,} rows, {largest.stat().st_size / 1e6:.1f} MB")
        ok &= report("  import invoices largest.csv",
                     run(accepted, "import", "invoices", str(largest)))  # fmt: skip
        ok &= report("  again (every row compared, unchanged)",
                     run(accepted, "import", "invoices", str(largest)))  # fmt: skip
        for rows, columns in ((MAX_ROWS, MAX_CELLS // MAX_ROWS), (16_000, MAX_CELLS // 16_000)):
            wide = base / f"wide-{columns}.csv"
            wide_csv(wide, rows, columns)
            size = wide.stat().st_size
            print(f"widest accepted: {rows:,} rows x {columns} columns, {size / 1e6:.1f} MB")
            ok &= report(f"  import invoices {wide.name} --dry-run",
                         run(accepted, "import", "invoices", str(wide), "--dry-run"))  # fmt: skip
        book = base / "largest.xlsx"
        largest_xlsx(book, MAX_ROWS)
        print(
            f"largest accepted workbook: {MAX_ROWS:,} rows, {book.stat().st_size / 1e6:.1f} MB"
            " (the same invoices as largest.csv, other customers: every row an update)"
        )
        ok &= report("  import invoices largest.xlsx --dry-run",
                     run(accepted, "import", "invoices", str(book), "--dry-run"))  # fmt: skip
    print("all under 500 MB" if ok else "SOME OVER 500 MB")


if __name__ == "__main__":
    main()
