"""Certificates from outside: recorded, marked verified, imported; and the migration import
of a previous system's assessments and certificates.

- `certificate_record_outside`: one certificate issued by another province, the national
  platform or another authority (special-operation certificates), or by a previous system,
  for 证书直补 and for the holder's level history. The holder must be a registered person in
  the actor's jurisdiction (found by the keyed hash of the ID number). Idempotent by number:
  the same content again answers the same record; another content under the same number is a
  Conflict naming the first field that differs. Numbers are checked by `rules.numbering`
  (legacy 职业资格证书 numbers accepted).
- `certificate_mark_verified`: checked (or found wanting) against its issuer, with a note.
- `certificates_import`: the same from a CSV or .xlsx file, every bad row reported, nothing
  written from a file with errors unless skipping them; a file imported twice counts once.
- `history_import`: a province moving to jineng brings its past assessments (legacy sittings,
  closed, origin "legacy") with candidates, results and certificates. Idempotent by
  certificate number (and by the old system's reference of each assessment); persons not yet
  registered are registered from the file, as the training migration does.

Recorded and migrated certificates are not signed here (they were not issued here) and
feed no plan facts (the plans count what happens here). Files are imported inline, capped at
MAX_ROWS rows (the training migration import is inline too); their certificates are inserted
in batches with one import event per file in the audit trail (a migrated assessment has its
own event, a newly registered person theirs), each certificate keeping who recorded it. A
single record is audited on its own."""

from jineng.assessment.services.outside.certificates_file import (
    CERTIFICATE_COLUMNS,
    certificates_import,
    certificates_template,
)
from jineng.assessment.services.outside.history import (
    HISTORY_COLUMNS,
    history_import,
    history_template,
)
from jineng.assessment.services.outside.records import (
    OUTSIDE_ORIGINS,
    OutsideCertificateInput,
    certificate_mark_verified,
    certificate_record_outside,
    content_fingerprint,  # noqa: F401 (the demo reads it)
    may_import_history,
    may_record_outside,
    number_message,
)

__all__ = [
    "CERTIFICATE_COLUMNS", "HISTORY_COLUMNS", "OUTSIDE_ORIGINS", "OutsideCertificateInput",
    "certificate_mark_verified", "certificate_record_outside", "certificates_import",
    "certificates_template", "history_import", "history_template", "may_import_history",
    "may_record_outside", "number_message",
]
