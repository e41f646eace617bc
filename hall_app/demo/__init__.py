"""The demo hall: its configuration (resources/demo) and simulated traffic."""
