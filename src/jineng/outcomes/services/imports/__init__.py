"""Importing social-insurance contribution records (参保缴费记录) and business registrations
from the social-insurance and market-regulation systems: files (CSV in UTF-8 or GBK, .xlsx)
of millions of rows, streamed, and API batches.

How a file goes in (docs/outcomes.md, "Imports"):

1. Pass 0 reads the bytes once: size limit, SHA-256 of the content, the encoding (UTF-8 with
   or without BOM, else GB18030/GBK, else a file error), the number of lines (the progress
   total) and the header row. A file already imported (same kind and content) answers that
   import: nothing counts twice.
2. Pass 1 checks every row. Records (millions of rows): set-based in DuckDB over the file's
   Arrow batches, each distinct value checked once by the pure rules (outcomes.rules.records)
   and ID numbers in SQL (`records.py`); business registrations: row by row with caches.
   Bad rows go to the report; rows whose ID number is missing or fails its check become
   RecordLinks (nothing guessed).
3. Duplicates inside the file are grouped (identical: counted once; the same person, employer
   and month with other values: a row error on each); the good records are staged in the
   database (PostgreSQL: COPY; SQLite: executemany).
4. A file with any bad row writes nothing (unless the user asked to skip bad rows); otherwise
   one set-based transaction creates the links and applies the records: on PostgreSQL one join
   leaves out the rows identical to the stored ones, then new rows are INSERTed and differing
   ones UPDATEd (the database's trigger keeps their earlier values as revisions); on SQLite
   (and when another writer inserted one of the records meanwhile) INSERT … ON CONFLICT DO
   UPDATE … WHERE the values differ.

Who imports: province and city HRSS staff, for employers (or businesses) registered inside
their own region; county staff and everyone else are refused.
"""

from jineng.outcomes.services.imports.common import (
    BUSINESS_COLUMNS,
    HRSS_IMPORTERS,
    MAX_BATCH_ROWS,
    MAX_STORED_ERRORS,
    RECORD_COLUMNS,
    ImportOutcome,
)
from jineng.outcomes.services.imports.running import (
    insurance_import_file,
    insurance_import_rows,
    insurance_import_upload,
    outcomes_import_job,
)

__all__ = [
    "BUSINESS_COLUMNS",
    "HRSS_IMPORTERS",
    "MAX_BATCH_ROWS",
    "MAX_STORED_ERRORS",
    "RECORD_COLUMNS",
    "ImportOutcome",
    "insurance_import_file",
    "insurance_import_rows",
    "insurance_import_upload",
    "outcomes_import_job",
]
