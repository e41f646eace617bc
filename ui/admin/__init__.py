"""The admin window (window.py) and its parts: login dialog, field-error forms, one module per tab."""
