"""Each role's menu opens the complaint and survey screens it may use, and no others."""

from __future__ import annotations

import pytest

from tests.conftest import AuthActions
from tests.reading import menu_text


@pytest.mark.parametrize(
    "role, shown, hidden",
    [
        (
            "Petugas Pengaduan",
            [
                "Pengaduan",
                "Buku Pengaduan",
                "Catat pengaduan",
                "Laporan Pengaduan Bulanan",
                "Survei",
                "Input kuesioner kertas",
                "Indeks Kepuasan Masyarakat",
            ],
            ["Rencana tindak lanjut"],
        ),
        (
            "Kepala Bidang",
            ["Buku Pengaduan", "Indeks Kepuasan Masyarakat", "Rencana tindak lanjut"],
            ["Catat pengaduan", "Laporan Pengaduan Bulanan", "Input kuesioner kertas"],
        ),
        (
            "Kepala Dinas",
            ["Buku Pengaduan", "Laporan Pengaduan Bulanan", "Indeks Kepuasan Masyarakat"],
            ["Catat pengaduan"],
        ),
        ("Front Office", ["Survei", "Input kuesioner kertas"], ["Buku Pengaduan", "Indeks Kepuasan Masyarakat"]),
    ],
)
def test_menu_per_role(client, make_user, role, shown, hidden):
    AuthActions(client).login(make_user(role))
    menu = menu_text(client.get("/").get_data(as_text=True))
    for label in shown:
        assert label in menu, (role, label, menu)
    for label in hidden:
        assert label not in menu, (role, label, menu)
