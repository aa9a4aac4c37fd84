"""Operations behind the ``do-platform`` commands: plain functions returning dataclasses."""
