"""Small widgets shared by every window (banners, big labels, the voice sign)."""

from ui.widgets.banners import ConnectionBanner, OutageBanner
from ui.widgets.elided import ElidedLabel
from ui.widgets.labels import BigLabel
from ui.widgets.voice_status import VoiceStatus

__all__ = ["BigLabel", "ConnectionBanner", "ElidedLabel", "OutageBanner", "VoiceStatus"]
