import pytest


@pytest.fixture(autouse=True)
def job_files(settings, tmp_path):
    """Result files of the jobs of a test go to a temporary directory."""
    settings.STORAGES = {**settings.STORAGES, "jobs": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "jobs", "base_url": None}}}
    return tmp_path / "jobs"
