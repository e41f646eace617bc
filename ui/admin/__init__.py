"""The admin window's parts: login dialog, field-error forms and one module per tab."""
