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
    args = sys.argv[1:]
    if args[:2] == ["mail", "pipe"]:
        _pipe_to_running_intake(args)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
    from django.core.management import execute_from_command_line

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


def _pipe_to_running_intake(args: list[str]) -> None:
    """`mail pipe` with an LMTP intake configured: hand it the message and
    exit with its answer, without starting Django. When the intake cannot be
    reached, standard input is replaced by the bytes already read and the
    in-process pipe (mail.py) takes over."""
    import io

    from ventanilla.mail import pipe_client

    where = pipe_client.intake_address()
    mailbox = _option(args, "--mailbox")
    if where is None or not mailbox:
        return
    raw = sys.stdin.buffer.read()
    status = pipe_client.forward(raw, mailbox, where)
    if status is not None:
        sys.exit(status)
    sys.stdin = io.TextIOWrapper(io.BytesIO(raw))


def _option(args: list[str], name: str) -> str:
    for index, arg in enumerate(args):
        if arg == name and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return ""


if __name__ == "__main__":
    main()
