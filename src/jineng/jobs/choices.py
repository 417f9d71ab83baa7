from django.db import models
from django.utils.translation import pgettext_lazy


class JobStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("job status", "Queued")
    RUNNING = "running", pgettext_lazy("job status", "Running")
    SUCCEEDED = "succeeded", pgettext_lazy("job status", "Finished")
    FAILED = "failed", pgettext_lazy("job status", "Failed")


FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED)
