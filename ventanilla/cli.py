"""The `ventanilla` command: Django's management commands plus `serve` and
`worker`, with the project's settings preselected."""

import os
import sys
import traceback

# `ventanilla mail pipe` answers the MTA with 75 (EX_TEMPFAIL: keep the
# message and retry) for anything that is not the message's fault, even
# settings that fail to load (ventanilla/mail/management/commands/mail.py).
EX_TEMPFAIL = 75


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:]
    if args and not args[0].startswith("-"):
        # `ventanilla seed-scale` runs the `seed_scale` management command.
        args[0] = args[0].replace("-", "_")
    try:
        execute_from_command_line([sys.argv[0], *args])
    except Exception as error:
        if args[:2] != ["mail", "pipe"]:
            raise
        traceback.print_exc()
        print(f"No se guardó el mensaje: {type(error).__name__}: {error} / Message not stored.",
              file=sys.stderr)
        sys.exit(EX_TEMPFAIL)


if __name__ == "__main__":
    main()
