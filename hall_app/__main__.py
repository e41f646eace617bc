"""`python -m hall_app` is the same as the `hall-app` command."""

from hall_app.cli import console_main

console_main()
