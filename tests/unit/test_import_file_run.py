"""`imports.run.import_file` called directly: its progress callback and its default actor."""

from __future__ import annotations

from pathlib import Path

from assistant.imports.run import import_file
from assistant.storage.db import Store

HEADER = "N° facture;Code client;Raison sociale;Date facture;Date d'échéance;Montant TTC"


def invoices_csv(tmp_path: Path, count: int) -> Path:
    rows = [f"F{i};C1;Dupont;05/01/2026;04/02/2026;10,00" for i in range(count)]
    path = tmp_path / "factures.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_an_import_tells_its_progress_bar_each_step_and_when_it_is_done(
    store: Store, tmp_path: Path
) -> None:
    calls: list[tuple[int, int]] = []
    import_file(store, "invoices", invoices_csv(tmp_path, 3),
                progress=lambda done, total: calls.append((done, total)))  # fmt: skip
    assert calls[0] == (0, 4) and (3, 4) in calls
    assert calls[-1] == (4, 4)  # written and committed


def test_an_import_without_an_actor_is_recorded_as_the_user(store: Store, tmp_path: Path) -> None:
    import_file(store, "invoices", invoices_csv(tmp_path, 1))
    (event,) = store.events(kinds=("import.completed",))
    assert event["actor"] == "user"


def test_an_invoice_pdf_is_accepted_from_the_attachments_folder_given_not_only_the_files(
    store: Store, tmp_path: Path
) -> None:
    pdfs, inbox = tmp_path / "pdfs", tmp_path / "in"
    pdfs.mkdir()
    inbox.mkdir()
    (pdfs / "F1.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    path = inbox / "factures.csv"
    path.write_text(
        f"{HEADER};PDF\nF1;C1;Dupont;05/01/2026;04/02/2026;10,00;{pdfs / 'F1.pdf'}\n",
        encoding="utf-8",
    )
    import_file(store, "invoices", path, attachments_root=pdfs)
    row = store.query_one("SELECT pdf_path FROM invoices WHERE number = 'F1'")
    assert row is not None and row["pdf_path"] == str((pdfs / "F1.pdf").resolve())
