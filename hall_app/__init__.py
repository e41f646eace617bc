"""hall_app: the Qt-free core of the business-hall app (domain rules, services, CLI)."""

__version__ = "0.1.0"
