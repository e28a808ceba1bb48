"""The `ventanilla` command: Django's management commands plus `serve` and
`worker`, with the project's settings preselected."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:]
    if args and not args[0].startswith("-"):
        # `ventanilla seed-scale` runs the `seed_scale` management command.
        args[0] = args[0].replace("-", "_")
    execute_from_command_line([sys.argv[0], *args])


if __name__ == "__main__":
    main()
