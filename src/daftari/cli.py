"""The ``daftari`` command: every Django management command, plus Daftari's own.

``daftari serve`` (gunicorn), ``daftari worker`` (background jobs), ``daftari demo``,
``daftari createofficer``, and ``daftari migrate``, ``daftari collectstatic``, ... as in manage.py.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "daftari.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line([sys.argv[0], *sys.argv[1:]])


if __name__ == "__main__":
    main()
