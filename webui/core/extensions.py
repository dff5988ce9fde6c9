"""Flask extensions, created unbound and attached in ``create_app`` (no app state here)."""

from __future__ import annotations

from pathlib import Path

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from engine.db import Base

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"

db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
migrate = Migrate()
login_manager = LoginManager()
login_manager.login_view = "public.login"
login_manager.login_message = "Ingrese con su usuario y contraseña para continuar."
login_manager.login_message_category = "info"
