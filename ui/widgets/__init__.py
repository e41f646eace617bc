"""Small widgets shared by every window (banners, big labels)."""

from ui.widgets.banners import ConnectionBanner, OutageBanner
from ui.widgets.labels import BigLabel

__all__ = ["BigLabel", "ConnectionBanner", "OutageBanner"]
