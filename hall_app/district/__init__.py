"""The district: many halls in one picture (no Qt). See docs/district.md.

keys     joining a district, key side (site numbers, moving keys into the site's range)
cli      `hall-app district …` commands
"""
