"""A backup carries the signed certificate files with the scans; after a restore the office serves
the same signed bytes and the public check still reads them as valid."""

from __future__ import annotations

from tests.conftest import AuthActions
from tests.ops.test_backup_restore import app_on, fresh_database
from tests.signing.conftest import certificate_row, signer_user, walk_to_certificate
from tests.signing.test_signed_certificates import download, upload, verdict


def test_signed_certificates_survive_backup_and_restore(signing_app, runner, client, auth, tmp_path, test_pki):
    app = signing_app
    case_id = walk_to_certificate(app, "TD-BKK")
    with app.app_context():
        officer = signer_user(app).username
    issued = download(client, auth, case_id, officer)
    cert = certificate_row(app, case_id)

    target = tmp_path / "backup"
    done = runner.invoke(args=["ops", "backup", str(target)])
    assert done.exit_code == 0, done.output
    assert (target / "scans" / cert.signed_pdf_key).read_bytes() == issued

    with (
        fresh_database(tmp_path) as url,
        app_on(url, tmp_path / "new-scans", tmp_path / "new", **test_pki.config()) as restored,
    ):
        done = restored.test_cli_runner().invoke(args=["ops", "restore", str(target)])
        assert done.exit_code == 0, done.output
        again = restored.test_client()
        assert download(again, AuthActions(again), case_id, officer) == issued
        assert verdict(upload(again, issued)) == "valid"
