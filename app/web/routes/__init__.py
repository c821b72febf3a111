"""The web app's routers, one per concern; app/web/main.py includes them all."""
