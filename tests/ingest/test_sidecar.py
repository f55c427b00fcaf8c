from __future__ import annotations

import json
from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.config import load_config
from sitegen.ingest.sidecar import SidecarError, load_sidecar, parse_date


def test_dates_keep_their_precision() -> None:
    assert parse_date("2024").precision == "year"
    assert parse_date("2024-01").precision == "month"
    assert parse_date("--10-23").iso() == "--10-23"
    with pytest.raises(SidecarError, match="not a date"):
        parse_date("2024/1/1")


def test_bad_sidecars_name_the_key(tmp_path: Path) -> None:
    path = tmp_path / "a.meta.toml"
    path.write_text('[document]\ntitel = "x"\n', encoding="utf-8")
    with pytest.raises(SidecarError, match="a.meta.toml: \\[document\\]: unknown key 'titel'"):
        load_sidecar(path, "a.meta.toml")
    path.write_text("[document\n", encoding="utf-8")
    with pytest.raises(SidecarError, match="not valid TOML"):
        load_sidecar(path, "a.meta.toml")


def test_curated_fields_win_and_problems_are_warnings(archive: Path, tmp_path: Path) -> None:
    (archive / "003_8f3753a4c6dcbcd8.meta.toml").write_text(
        'why = "test"\n[[article]]\nindex = 2\ncity = "许昌"\ndate = "2020-05"\n'
        '[[article]]\nindex = 9\ntitle = "nowhere"\n',
        encoding="utf-8",
    )
    (archive / "004_d050f3d09898762a.meta.toml").write_text("[document\n", encoding="utf-8")
    report = build(load_config(archive, tmp_path / "site"))
    assert report.warnings == (
        "004_d050f3d09898762a.meta.toml: not valid TOML (Expected ']' at the end of a table "
        "declaration (at line 1, column 10)); the sidecar is ignored",
        "003_8f3753a4c6dcbcd8.meta.toml: [[article]] index = 9 names no article (the file holds 8)",
    )
    html = (tmp_path / "site" / "doc" / "003-8f3753a4c6dcbcd8-02" / "index.html").read_text("utf-8")
    assert "2020年5月" in html
    data = json.loads((tmp_path / "site" / "build-report.json").read_text("utf-8"))
    assert len(data["warnings"]) == 2


def test_sidecars_are_found_beside_their_files_in_any_folder(tmp_path: Path) -> None:
    from sitegen.build import _find_inputs

    archive = tmp_path / "archive"
    (archive / "sub").mkdir(parents=True)
    (archive / "b.meta.toml").mkdir()  # a folder, not a sidecar
    for name in ("a.txt", "b.txt", "c.txt", "sub/d.md", "e.txt", "f.txt"):
        (archive / name).write_text("正文", encoding="utf-8")
    (archive / "a.meta.toml").write_text("[document]\n", encoding="utf-8")
    (archive / "sub" / "d.meta.toml").write_text("[document]\n", encoding="utf-8")
    (archive / "sub" / "c.meta.toml").write_text("[document]\n", encoding="utf-8")  # not c's
    (archive / "e.meta.toml").symlink_to(archive / "a.meta.toml")
    (archive / "f.meta.toml").symlink_to(archive / "a.txt" / "x")  # ENOTDIR: no sidecar
    files = _find_inputs(archive, [])
    found = {str(f.relative): f.sidecar for f in files}
    root = archive.resolve()
    assert found == {
        "a.txt": root / "a.meta.toml",
        "b.txt": None,
        "c.txt": None,
        "e.txt": root / "e.meta.toml",
        "f.txt": None,
        "sub/d.md": root / "sub" / "d.meta.toml",
    }
