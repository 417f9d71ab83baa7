"""`jineng …`: the one command-line entry point (Django management commands behind it)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jineng.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jineng", *sys.argv[1:]])


if __name__ == "__main__":
    main()
