"""`hall-app demo`: hall.py opens every window on the embedded database and simulates customers."""
