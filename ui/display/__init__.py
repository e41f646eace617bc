"""The hall display (叫号屏): window.py shows the latest calls and speaks each one once."""
