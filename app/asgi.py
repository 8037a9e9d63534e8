"""ASGI entry point for uvicorn workers: the app for the configured database."""

from app.main import create_app

app = create_app()
